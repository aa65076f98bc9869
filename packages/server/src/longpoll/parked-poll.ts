import { CURSOR_HEADER, isPushlineError, type PushlineError } from '@pushline/core'
import { sendError } from '../error-handler.js'
import type { FastifyReply } from 'fastify'
import { Connection } from '../lifecycle/connection.js'
import type { IdentityFields } from '../register.js'
import type { TransportContext } from '../transports/types.js'
import { answerReply } from './answer-reply.js'
import type { Parked, PollGroup, SharedAnswer } from './poll-group.js'

function expire(poll: ParkedPoll): void {
  poll.end()
}

/**
 * A held long-poll, a connection of the lifecycle (its slot, its count, shutdown): parked in its group until the
 * group's batch answers it, 204 (cursor unchanged) when `holdMs` passes or the server closes, and nothing when the
 * client goes away. No promise and no log waiter of its own: a timer, a close listener and a place in the group.
 */
export class ParkedPoll extends Connection<TransportContext> implements Parked {
  position: string
  private readonly timer: NodeJS.Timeout
  private readonly onClose = (): void => {
    this.finish()
  }

  constructor(
    context: TransportContext,
    key: string,
    identity: IdentityFields | undefined,
    private readonly reply: FastifyReply,
    private readonly group: PollGroup,
    /** The client's cursor, answered back with a 204. */
    private readonly requested: string,
    position: string,
    holdMs: number,
  ) {
    super(context, key, identity)
    this.position = position
    this.open()
    this.timer = setTimeout(expire, holdMs, this)
    reply.raw.on('close', this.onClose)
  }

  heartbeat(): void {}

  answer(answer: SharedAnswer): void {
    if (!this.finish()) return
    this.reply.send(answerReply(answer, this.context, this.reply))
  }

  fail(error: unknown): void {
    if (!this.finish()) return
    if (!isPushlineError(error) || error.statusCode >= 500) this.context.counters.errors++
    this.reply.send(error)
  }

  /** The hold is over (its time passed, or the server is closing): 204 with the client's own cursor. */
  end(): void {
    if (!this.finish()) return
    this.reply.code(204).header(CURSOR_HEADER, this.requested).send()
  }

  protected stopForShutdown(): void {
    this.end()
  }

  /** `disconnect()`: answered with the error (401 RT_ERR_AUTH_REVOKED). An expiry caps the hold instead (`holdMs`). */
  protected endForAuth(error: PushlineError): boolean {
    if (!this.finish()) return false
    sendError(this.reply, error)
    return true
  }

  /** Leaves the group and gives everything back, once: false when that already happened. */
  private finish(): boolean {
    if (!this.isLive) return false
    clearTimeout(this.timer)
    this.reply.raw.off('close', this.onClose)
    this.group.unpark(this)
    this.gone()
    return true
  }
}
