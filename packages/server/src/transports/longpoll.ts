import { isPushlineError, longpollBatch } from '@pushline/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { LiveConnection } from '../connections.js'
import { badRequest } from '../errors.js'
import { type SharedAnswer, SharedAnswers } from '../longpoll/shared-answers.js'
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
    // Polls at one position on the same channels share one read, one serialized answer and one log waiter.
    const answers = new SharedAnswers(context.log, {
      limit: context.options.limits.maxBatchEvents,
      maxBytes: context.options.limits.maxBatchBytes,
    })
    scope.addHook('onClose', async () => answers.close())
    scope.get(this.path, { exposeHeadRoute: false }, (request, reply) => poll(context, answers, request, reply))
  },
}

async function poll(
  context: TransportContext,
  answers: SharedAnswers,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<string | Buffer | FastifyReply> {
  const { log, options, counters } = context
  const subscription = parseSubscription(request.query, options)
  const holdMs = holdOf(request.query, options.holdMs)
  const authorizing = context.access.authorize(request, subscription.channels, 'subscribe')
  if (authorizing) await authorizing
  reply.header('cache-control', NO_STORE).type('application/json; charset=utf-8')
  if (subscription.cursor === undefined) return longpollBatch([], await log.head())
  if (context.connections.closing) throw closingError()
  const { channels } = subscription

  try {
    // Under load most polls find events waiting: they are answered without setting up a hold.
    const first = await answers.read(channels, subscription.cursor)
    if (first.answer) return send(first.answer, context, reply)
    // Nothing yet: a quiet channel may still advance the cursor to the head, but the answer keeps the client's.
    return await hold(context, answers, request, reply, channels, first.cursor, holdMs)
  } catch (error) {
    if (!isPushlineError(error) || error.statusCode >= 500) counters.errors++
    throw error
  }
}

/**
 * Sends a shared answer as it is. Answers with events may be kept by shared caches when the plugin allows it
 * (`longpollCacheMaxAgeSec`): an answer depends on its URL alone (channels + cursor).
 */
function send(answer: SharedAnswer, context: TransportContext, reply: FastifyReply): Buffer {
  if (answer.status === 410) {
    context.counters.resets++
    reply.code(410)
  } else {
    context.counters.eventsSent += answer.events
    const maxAge = context.options.longpollCacheMaxAgeSec
    if (maxAge > 0) reply.header('cache-control', `public, max-age=${maxAge}`)
  }
  return answer.body
}

/** Holds the poll until an event comes (answered like any read) or `holdMs` passes (204). Counts as a connection. */
async function hold(
  context: TransportContext,
  answers: SharedAnswers,
  request: FastifyRequest,
  reply: FastifyReply,
  channels: readonly string[],
  from: string,
  holdMs: number,
): Promise<Buffer | FastifyReply> {
  const { counters } = context
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
        await answers.wait(channels, cursor, abort.signal)
      } catch (error) {
        if (abort.signal.aborted) break
        throw error
      }
      const result = await answers.read(channels, cursor)
      if (result.answer) return send(result.answer, context, reply)
      cursor = result.cursor
    }
    reply.code(204).send()
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
