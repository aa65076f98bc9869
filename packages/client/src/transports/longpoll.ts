import { asBatch, asFrame, asRunsBatch } from '../frames.js'
import { endInfoFor, requestInit, subscribeUrl } from './http.js'
import type { ClientTransport, EndInfo } from './types.js'

/**
 * Long-poll: one request at a time (never two outstanding), each from the connection's position. The first poll
 * asks for no hold, so it answers at once and serves as the hello (a whole answer: proof that polling works here);
 * later polls are held up to `holdMs` (kept below any proxy idle timeout) and abandoned a grace period after the
 * hold should have ended. A failed poll ends the session; the connection decides when to retry.
 */
export const longpoll: ClientTransport = (ctx, handlers) => {
  const abort = new AbortController()
  let done = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const close = () => {
    done = true
    clearTimeout(timer)
    abort.abort()
  }
  const finish = (info: EndInfo) => {
    if (done) return
    close()
    handlers.end(info)
  }
  const run = async () => {
    handlers.open()
    for (let first = true; !done; first = false) {
      const hold = first ? 0 : ctx.holdMs
      // hold < proxy idle timeout < the client's own timeout
      timer = setTimeout(() => finish({}), hold + Math.max(2000, ctx.holdMs / 2))
      const from = ctx.position()
      const res = await ctx.fetch(subscribeUrl(ctx, hold), requestInit(ctx, abort.signal))
      const status = res.status
      if (status > 299 && status !== 410) return finish(await endInfoFor(res))
      // 204: the hold expired with nothing new (the poll still proves the path works); 410: a reset
      const body: unknown = status === 204 ? undefined : await res.json()
      clearTimeout(timer)
      if (done) return
      const frame = status === 410 ? asFrame(body) : undefined
      const reset = frame?.type === 'reset' ? frame : undefined
      // asked for a format (when the server offers it), a poll may still be answered in protocol 1's body
      const batch = status === 200 ? (asRunsBatch(body) ?? asBatch(body)) : undefined
      const cursor = reset?.cursor ?? batch?.cursor ?? from
      if ((status !== 204 && !reset && !batch) || !cursor) return finish({ malformed: 'a malformed long-poll answer' })
      handlers.frame(first ? { type: 'hello', cursor: from ?? cursor, roundTrip: true } : { type: 'position', cursor: from ?? cursor })
      if (reset) handlers.frame(reset)
      for (const event of batch?.events ?? []) if (!done) handlers.frame({ type: 'event', ...event })
      if (batch && !done) handlers.frame({ type: 'position', cursor: batch.cursor })
    }
  }
  run().catch(() => finish({}))
  return { close }
}
