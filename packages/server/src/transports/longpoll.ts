import { CURSOR_HEADER, isPushlineError, longpollBatch } from '@pushline/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { expiryOf } from '../auth/expiry.js'
import { answerReply } from '../longpoll/answer-reply.js'
import { ParkedPoll } from '../longpoll/parked-poll.js'
import { PollGroups } from '../longpoll/poll-groups.js'
import type { PollGroup, SharedRead } from '../longpoll/poll-group.js'
import { type PollQuery, PollQueries } from '../longpoll/poll-query.js'
import type { Admitted } from '../admission.js'
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

/**
 * One poll. Under load most polls find events waiting and an answer already serialized for their position; without
 * `authenticate`/`authorize` hooks such a poll is answered within this call, with no promise (issue 15: the promise
 * chain of an async handler was ~7 % of the server's busy time per poll). Anything that must wait (a hook, the log's
 * first read of a position, the head) answers when it is done: a sync fastify handler may send later.
 */
function poll(
  context: TransportContext,
  groups: PollGroups,
  queries: PollQueries,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const query = queries.of(request)
  const admitted = context.admission.subscribe(request, query.subscription.channels, context.counters, 'longpoll')
  if (!('then' in admitted)) {
    serve(context, groups, query, admitted, reply)
    return
  }
  admitted.then(
    (now) => serve(context, groups, query, now, reply),
    (error: unknown) => reply.send(error),
  )
}

/** Answers, parks or reads for an admitted poll. Its slot is given back once answered (a parked one's, at its end). */
function serve(context: TransportContext, groups: PollGroups, query: PollQuery, admitted: Admitted, reply: FastifyReply): void {
  const { cursor } = query.subscription
  try {
    reply.header('cache-control', NO_STORE).type('application/json; charset=utf-8')
    if (cursor === undefined) {
      context.log.head().then(
        (head) => {
          reply.header(CURSOR_HEADER, head).send(longpollBatch([], head))
          context.admission.release(admitted.key)
        },
        (error: unknown) => fail(context, admitted.key, reply, error),
      )
      return
    }
    const group = groups.of(query.subscription.channels, query.format)
    const seen = group.generation
    // The hot path: the answer for this position is already in; no closure, no promise.
    const found = group.found(cursor)
    if (found) {
      settle(context, group, query, admitted, reply, seen, found)
      return
    }
    group.read(cursor).then(
      (read) => {
        try {
          settle(context, group, query, admitted, reply, seen, read)
        } catch (error) {
          fail(context, admitted.key, reply, error)
        }
      },
      (error: unknown) => fail(context, admitted.key, reply, error),
    )
  } catch (error) {
    fail(context, admitted.key, reply, error)
  }
}

/**
 * What the read found: the shared answer sent, or the poll parked at the head the read found (a 204 still answers
 * the client's own cursor); the group's batch, the hold's timer or shutdown answers it then.
 */
function settle(
  context: TransportContext,
  group: PollGroup,
  query: PollQuery,
  admitted: Admitted,
  reply: FastifyReply,
  seen: number,
  read: SharedRead,
): void {
  if (read.answer) {
    reply.send(answerReply(read.answer, context, reply))
    context.admission.release(admitted.key)
    return
  }
  // A hold ends by the identity's expiry at the latest (answered 204; the next poll is refused RT_ERR_AUTH_EXPIRED).
  const expiresAt = expiryOf(admitted.identity)
  const holdMs = expiresAt === undefined ? query.holdMs : Math.max(0, Math.min(query.holdMs, expiresAt - Date.now()))
  const requested = query.subscription.cursor ?? read.cursor
  group.park(new ParkedPoll(context, admitted.key, admitted.identity, reply, group, requested, read.cursor, holdMs), seen)
}

/** A poll that cannot be answered: the error answers it (counted when it is the server's), its slot given back. */
function fail(context: TransportContext, key: string, reply: FastifyReply, error: unknown): void {
  if (!isPushlineError(error) || error.statusCode >= 500) context.counters.errors++
  context.admission.release(key)
  reply.send(error)
}
