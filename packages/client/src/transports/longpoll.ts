import type { PollBatch, Reset } from '@pushline/core/wire'
import { endInfoFor, subscribeUrl } from './http.js'
import type { ClientTransport, EndInfo } from './types.js'

/**
 * Long-poll: one request at a time (never two outstanding), each from the subscription's position. The first poll
 * asks for no hold, so it answers at once and serves as the hello; later polls are held up to `holdMs` (kept below
 * any proxy idle timeout) and abandoned a grace period after the hold should have ended. A failed poll ends the
 * session; the subscription decides when to retry.
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
      const res = await ctx.fetch(subscribeUrl(ctx, hold), { signal: abort.signal })
      const status = res.status
      if (status > 299 && status !== 410) return finish(await endInfoFor(res))
      // 204: the hold expired with nothing new (the poll still proves the path works); 410: a reset
      const body = status === 204 ? undefined : ((await res.json()) as PollBatch & Reset)
      clearTimeout(timer)
      if (done) return
      const position = ctx.position() ?? body!.cursor
      handlers.frame({ type: first ? 'hello' : 'position', cursor: status === 410 ? body!.cursor : position })
      if (status === 410) handlers.frame({ ...body!, type: 'reset' })
      for (const event of body?.events ?? []) if (!done) handlers.frame({ ...event, type: 'event' })
      if (body && status === 200 && !done) handlers.frame({ type: 'position', cursor: body.cursor })
    }
  }
  run().catch(() => finish({}))
  return { close }
}
