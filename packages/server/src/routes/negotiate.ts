import { type NegotiateResponse, PROTOCOL_VERSION, type TransportName } from '@pushline/core'
import type { FastifyInstance } from 'fastify'
import type { ResolvedOptions } from '../options.js'
import type { ServerTransport } from '../transports/types.js'

/** `GET <prefix>/negotiate`: the enabled transports in order of preference and where each one lives. */
export function registerNegotiate(
  scope: FastifyInstance,
  options: ResolvedOptions,
  transports: Readonly<Record<TransportName, ServerTransport>>,
): void {
  const endpoints = Object.fromEntries(
    Object.values(transports).map((transport) => [transport.name, `${options.prefix}${transport.path}`]),
  ) as Record<TransportName, string>
  const body: NegotiateResponse = {
    protocol: PROTOCOL_VERSION,
    transports: options.transports,
    endpoints: { ...endpoints, publish: `${options.prefix}/publish` },
    holdMs: options.holdMs,
    heartbeatMs: options.heartbeatMs,
  }
  const json = JSON.stringify(body)
  scope.get('/negotiate', { exposeHeadRoute: false }, async (_request, reply) => {
    reply.header('cache-control', 'no-cache').type('application/json; charset=utf-8')
    return json
  })
}
