import { LONGPOLL_FORMATS, type NegotiateResponse, PROTOCOL_VERSION, type TransportName } from '@pushline/core'
import type { FastifyInstance } from 'fastify'
import type { ResolvedOptions } from '../options.js'
import type { ServerTransport } from '../transports/types.js'

/**
 * `GET <prefix>/negotiate`: the enabled transports in order of preference, where each one lives, the limits, and
 * the log head at the time of the answer (so it is `no-store`). Only the cursor changes per request: the rest is
 * serialized once.
 */
export function registerNegotiate(
  scope: FastifyInstance,
  options: ResolvedOptions,
  transports: Readonly<Record<TransportName, ServerTransport>>,
  head: () => Promise<string>,
): void {
  const endpoints = Object.fromEntries(
    Object.values(transports).map((transport) => [transport.name, `${options.prefix}${transport.path}`]),
  ) as Record<TransportName, string>
  const fixed: Omit<NegotiateResponse, 'cursor'> = {
    protocol: PROTOCOL_VERSION,
    transports: options.transports,
    endpoints: { ...endpoints, publish: `${options.prefix}/publish` },
    holdMs: options.holdMs,
    heartbeatMs: options.heartbeatMs,
    limits: { maxChannels: options.limits.maxChannels },
    ...(options.transports.includes('longpoll') ? { longpollFormats: LONGPOLL_FORMATS } : {}),
  }
  // `{...fixed,"cursor":<head>}` without re-serializing the fixed part.
  const start = `${JSON.stringify(fixed).slice(0, -1)},"cursor":`
  scope.get('/negotiate', { exposeHeadRoute: false }, async (_request, reply) => {
    const cursor = await head()
    reply.header('cache-control', 'no-store').type('application/json; charset=utf-8')
    return `${start}${JSON.stringify(cursor)}}`
  })
}
