import type { LogEvent, PollBatch, Reset } from '@pushline/core/wire'
import { endInfoFor, subscribeUrl } from './http.js'
import type { ClientTransport } from './types.js'

/**
 * Long-poll: one request at a time, each from the subscription's position. The first poll asks for no hold, so it
 * answers at once and serves as the hello; later polls are held up to `holdMs` (kept below any proxy idle timeout)
 * and abandoned `pollGraceMs` after the hold should have ended. A failed poll ends the session; the subscription decides when to retry.
 */
export const longpoll: ClientTransport = (ctx, handlers) => {
  const abort = new AbortController()
  let done = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const finish = (info: Parameters<typeof handlers.end>[0]) => {
    if (done) return
    done = true
    clearTimeout(timer)
    abort.abort()
    handlers.end(info)
  }
  const poll = async (first: boolean) => {
    const hold = first ? 0 : ctx.holdMs
    // a fresh controller per poll would leave the first one's listener behind; one per session, aborted once
    timer = setTimeout(() => finish({}), hold + ctx.pollGraceMs)
    const res = await ctx.fetch(subscribeUrl(ctx, { holdMs: String(hold) }), { signal: abort.signal })
    clearTimeout(timer)
    if (done) return false
    if (res.status === 204) {
      await res.body?.cancel()
      // the hold expired: nothing new, but the poll proves the path still works
      const position = ctx.position()
      if (position !== undefined) handlers.frame({ type: first ? 'hello' : 'position', cursor: position })
      return true
    }
    if (res.status === 410) {
      const reset = (await res.json()) as Reset
      if (first) handlers.frame({ type: 'hello', cursor: reset.cursor })
      if (!done) handlers.frame({ ...reset, type: 'reset' })
      return true
    }
    if (!res.ok) {
      finish(await endInfoFor(res))
      return false
    }
    const batch = (await res.json()) as PollBatch
    if (done) return false
    if (first) handlers.frame({ type: 'hello', cursor: ctx.position() ?? batch.cursor })
    for (const event of batch.events as LogEvent[]) {
      if (done) return false
      handlers.frame({ type: 'event', channel: event.channel, cursor: event.cursor, data: event.data })
    }
    if (!done) handlers.frame({ type: 'position', cursor: batch.cursor })
    return true
  }
  const run = async () => {
    handlers.open()
    let first = true
    while (!done && (await poll(first))) first = false
  }
  run().catch(() => finish({}))
  return {
    close() {
      done = true
      clearTimeout(timer)
      abort.abort()
    },
  }
}
