import { CURSOR_HEADER, type EventLog, isPushlineError, longpollBatch } from '@pushline/core'
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
  const authorizing = context.access.authorize(request, subscription.channels, 'subscribe')
  if (authorizing) await authorizing
  reply.header('cache-control', NO_STORE).type('application/json; charset=utf-8')
  if (subscription.cursor === undefined) {
    const head = await log.head()
    reply.header(CURSOR_HEADER, head)
    return longpollBatch([], head)
  }
  if (context.connections.closing) throw closingError()
  const read = (cursor: string) =>
    log.read(subscription.channels, cursor, { limit: options.limits.maxBatchEvents, maxBytes: options.limits.maxBatchBytes })

  try {
    // Under load most polls find events waiting: they are answered without setting up a hold.
    const first = await read(subscription.cursor)
    const answer = answerOf(first, context, reply)
    if (answer !== undefined) return answer
    // Nothing yet: a quiet channel may still advance the cursor to the head, but the answer keeps the client's.
    return await hold(context, request, reply, subscription.channels, subscription.cursor, first.cursor, holdMs, read)
  } catch (error) {
    if (!isPushlineError(error) || error.statusCode >= 500) counters.errors++
    throw error
  }
}

type Read = (cursor: string) => ReturnType<EventLog['read']>

/** The answer to a read: a batch, a 410 reset, or undefined when there is nothing to send yet. */
function answerOf(result: Awaited<ReturnType<Read>>, context: TransportContext, reply: FastifyReply): string | undefined {
  if (result.type === 'reset') {
    context.counters.resets++
    reply.code(410).header(CURSOR_HEADER, result.cursor)
    return JSON.stringify(result)
  }
  if (result.events.length === 0) return undefined
  context.counters.eventsSent += result.events.length
  reply.header(CURSOR_HEADER, result.cursor)
  return longpollBatch(result.events, result.cursor)
}

/** Holds the poll until an event comes (answered like any read) or `holdMs` passes (204). Counts as a connection. */
async function hold(
  context: TransportContext,
  request: FastifyRequest,
  reply: FastifyReply,
  channels: readonly string[],
  requested: string,
  from: string,
  holdMs: number,
  read: Read,
): Promise<string | FastifyReply> {
  const { counters, log } = context
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
    let cursor = from
    // Bounded by holdMs (the abort) and by the client going away.
    while (!abort.signal.aborted) {
      try {
        await log.wait(channels, cursor, abort.signal)
      } catch (error) {
        if (abort.signal.aborted) break
        throw error
      }
      const result = await read(cursor)
      const answer = answerOf(result, context, reply)
      if (answer !== undefined) return answer
      cursor = result.cursor
    }
    reply.code(204).header(CURSOR_HEADER, requested).send()
    return reply
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
