import { CURSOR_HEADER, isPushlineError, longpollBatch } from '@pushline/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { expiryOf } from '../auth/expiry.js'
import { answerReply } from '../longpoll/answer-reply.js'
import { ParkedPoll } from '../longpoll/parked-poll.js'
import { PollGroups } from '../longpoll/poll-groups.js'
import { PollQueries } from '../longpoll/poll-query.js'
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
    // Polls on one channel set share reads, answers and one batched wake-up (longpoll/poll-group.ts).
    const groups = new PollGroups(
      context.log,
      { limit: context.options.limits.maxBatchEvents, maxBytes: context.options.limits.maxBatchBytes },
      context.holds,
    )
    const queries = new PollQueries(context.options)
    scope.addHook('onClose', async () => groups.close())
    scope.get(this.path, { exposeHeadRoute: false }, (request, reply) => poll(context, groups, queries, request, reply))
  },
}

async function poll(
  context: TransportContext,
  groups: PollGroups,
  queries: PollQueries,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<string | Buffer | FastifyReply> {
  const { log, counters } = context
  const { subscription, holdMs: requestedHoldMs } = queries.of(request)
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
    const group = groups.of(subscription.channels)
    const seen = group.generation
    const first = group.found(subscription.cursor) ?? (await group.read(subscription.cursor))
    if (first.answer) return answerReply(first.answer, context, reply)
    // Nothing yet: parked at the head the read found (a 204 still answers the client's own cursor). The group's
    // batch, the hold's timer or shutdown answers it: no promise per held poll.
    held = true
    group.park(new ParkedPoll(context, key, identity, reply, group, subscription.cursor, first.cursor, holdMs), seen)
    return reply
  } catch (error) {
    if (!isPushlineError(error) || error.statusCode >= 500) counters.errors++
    throw error
  } finally {
    if (!held) context.admission.release(key)
  }
}
