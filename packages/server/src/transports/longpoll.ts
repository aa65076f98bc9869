import { CURSOR_HEADER, isPushlineError, longpollBatch, type PushlineError } from '@pushline/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { expiryOf } from '../auth/expiry.js'
import { sendError } from '../error-handler.js'
import { badRequest } from '../errors.js'
import { Connection } from '../lifecycle/connection.js'
import { type HeldPoll, HoldRegistry } from '../lifecycle/hold-registry.js'
import { type SharedAnswer, SharedAnswers } from '../longpoll/shared-answers.js'
import type { IdentityFields } from '../register.js'
import { parseSubscription } from '../subscription.js'
import type { ServerTransport, TransportContext } from './types.js'

const NO_STORE = 'no-cache, no-store, no-transform'

/**
 * Long-poll: answers at once with everything waiting after the cursor (bounded by count and bytes), else holds the
 * request until an event arrives or `holdMs` passes (204, cursor unchanged). 410 + reset body for a cursor the log
 * can no longer serve. A poll holds a connection slot while it is served; a hold is a connection of the lifecycle
 * and ends with 204 on shutdown. Every answer carries Pushline-Cursor.
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
  const requestedHoldMs = holdOf(request.query, options.holdMs)
  const { key, identity } = await context.admission.subscribe(request, subscription.channels, counters, 'longpoll')
  // A hold ends by the identity's expiry at the latest (answered 204; the next poll is refused RT_ERR_AUTH_EXPIRED).
  const expiresAt = expiryOf(identity)
  const holdMs = expiresAt === undefined ? requestedHoldMs : Math.max(0, Math.min(requestedHoldMs, expiresAt - Date.now()))
  let held = false
  try {
    reply.header('cache-control', NO_STORE).type('application/json; charset=utf-8')
    if (subscription.cursor === undefined) {
      const head = await log.head()
      reply.header(CURSOR_HEADER, head)
      return longpollBatch([], head)
    }
    // Under load most polls find events waiting: they are answered without setting up a hold.
    const first = await answers.read(subscription.channels, subscription.cursor)
    if (first.answer) return send(first.answer, context, reply)
    // Nothing yet: a quiet channel may still advance the read position to the head, but a 204 keeps the client's.
    held = true
    return await new LongPollHold(context, key, identity, reply, subscription.channels, subscription.cursor).run(
      first.cursor,
      holdMs,
      answers,
    )
  } catch (error) {
    if (!isPushlineError(error) || error.statusCode >= 500) counters.errors++
    throw error
  } finally {
    if (!held) context.admission.release(key)
  }
}

/**
 * Sends a shared answer as it is (one serialized body for every poll at that position). Answers with events may be
 * kept by shared caches when the plugin allows it (`longpollCacheMaxAgeSec`): an answer depends on its URL alone
 * (channels + cursor).
 */
function send(answer: SharedAnswer, context: TransportContext, reply: FastifyReply): Buffer {
  reply.header(CURSOR_HEADER, answer.cursor)
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

/** A held poll: answered like any read when an event comes, 204 when `holdMs` passes or the server shuts down. */
class LongPollHold extends Connection<TransportContext> implements HeldPoll {
  private readonly abort = new AbortController()
  barriers: HeldPoll['barriers'] = undefined
  /** Set by `disconnect`: the hold is answered with it (401 RT_ERR_AUTH_REVOKED). */
  private refusal: PushlineError | undefined

  constructor(
    context: TransportContext,
    key: string,
    identity: IdentityFields | undefined,
    private readonly reply: FastifyReply,
    private readonly channels: readonly string[],
    private readonly requested: string,
  ) {
    super(context, key, identity)
  }

  protected endForAuth(error: PushlineError): boolean {
    if (this.abort.signal.aborted) return false
    this.refusal = error
    this.abort.abort()
    return true
  }

  heartbeat(): void {}

  protected stopForShutdown(): void {
    this.abort.abort()
  }

  async run(from: string, holdMs: number, answers: SharedAnswers): Promise<FastifyReply> {
    const { context, reply, abort } = this
    const timer = setTimeout(() => abort.abort(), holdMs)
    const onGone = (): void => abort.abort()
    reply.raw.once('close', onGone)
    this.open()
    context.holds.add(this, this.channels)
    try {
      let cursor = from
      // Bounded by holdMs (the abort) and by the client going away.
      while (!abort.signal.aborted) {
        try {
          await answers.wait(this.channels, cursor, abort.signal)
        } catch (error) {
          if (abort.signal.aborted) break
          throw error
        }
        const result = await answers.read(this.channels, cursor)
        // Sent here, before the hold settles: a publish that woke it answers after this.
        if (result.answer) return reply.send(send(result.answer, context, reply))
        cursor = result.cursor
        HoldRegistry.round(this)
      }
      if (this.refusal) return sendError(reply, this.refusal)
      return reply.code(204).header(CURSOR_HEADER, this.requested).send()
    } finally {
      clearTimeout(timer)
      reply.raw.off('close', onGone)
      context.holds.delete(this, this.channels)
      this.gone()
      HoldRegistry.round(this)
    }
  }
}

function holdOf(query: unknown, max: number): number {
  const value = (typeof query === 'object' && query !== null ? Reflect.get(query, 'holdMs') : undefined) as unknown
  if (value === undefined) return max
  if (typeof value !== 'string' || !/^[0-9]{1,9}$/.test(value)) throw badRequest('holdMs must be a whole number of milliseconds')
  return Math.min(Number(value), max)
}
