import { isPushlineError, longpollBatch } from '@pushline/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { LiveConnection } from '../connections.js'
import { badRequest } from '../errors.js'
import { parseSubscription } from '../subscription.js'
import { closingError } from './http-stream.js'
import type { ServerTransport, TransportContext } from './types.js'

const NO_STORE = 'no-cache, no-store, no-transform'

/**
 * Long-poll: answers at once with everything waiting after the cursor (bounded by count and bytes), else holds the
 * request until an event arrives or `holdMs` passes (204, cursor unchanged). 410 + reset body for a cursor the log
 * can no longer serve. A hold counts as a connection for the limits and ends with 204 on shutdown.
 */
export const longpollTransport: ServerTransport = {
  name: 'longpoll',
  path: '/poll',
  corsMethods: ['GET'],
  register(scope, context) {
    scope.get(this.path, { exposeHeadRoute: false }, (request, reply) => poll(context, request, reply))
  },
}

async function poll(context: TransportContext, request: FastifyRequest, reply: FastifyReply): Promise<string | FastifyReply> {
  const { log, options, counters } = context
  const subscription = parseSubscription(request.query, options)
  const holdMs = holdOf(request.query, options.holdMs)
  await context.access.authorize(request, subscription.channels, 'subscribe')
  reply.header('cache-control', NO_STORE).type('application/json; charset=utf-8')
  if (subscription.cursor === undefined) return longpollBatch([], await log.head())
  if (context.connections.closing) throw closingError()

  const release = context.limiter.acquire(context.access.clientKey(request))
  const abort = new AbortController()
  const done = new Promise<void>((resolve) => reply.raw.once('close', resolve))
  const connection: LiveConnection = {
    heartbeat: () => {},
    shutdown: () => {
      abort.abort()
      return done
    },
  }
  const timer = setTimeout(() => abort.abort(), holdMs)
  const onGone = (): void => abort.abort()
  reply.raw.once('close', onGone)
  counters.connections++
  counters.connectionsTotal++
  context.connections.add(connection)
  try {
    let cursor = subscription.cursor
    for (;;) {
      const result = await log.read(subscription.channels, cursor, {
        limit: options.limits.maxBatchEvents,
        maxBytes: options.limits.maxBatchBytes,
      })
      if (result.type === 'reset') {
        counters.resets++
        reply.code(410)
        return JSON.stringify(result)
      }
      if (result.events.length > 0) {
        counters.eventsSent += result.events.length
        return longpollBatch(result.events, result.cursor)
      }
      // Nothing yet: a quiet channel may still advance the cursor to the head, but the answer keeps the client's.
      cursor = result.cursor
      if (abort.signal.aborted) break
      try {
        await log.wait(subscription.channels, cursor, abort.signal)
      } catch (error) {
        if (abort.signal.aborted) break
        throw error
      }
    }
    reply.code(204).send()
    return reply
  } catch (error) {
    if (!isPushlineError(error) || error.statusCode >= 500) counters.errors++
    throw error
  } finally {
    clearTimeout(timer)
    reply.raw.off('close', onGone)
    context.connections.delete(connection)
    counters.connections--
    release()
  }
}

function holdOf(query: unknown, max: number): number {
  const value = (typeof query === 'object' && query !== null ? Reflect.get(query, 'holdMs') : undefined) as unknown
  if (value === undefined) return max
  if (typeof value !== 'string' || !/^[0-9]{1,9}$/.test(value)) throw badRequest('holdMs must be a whole number of milliseconds')
  return Math.min(Number(value), max)
}
