import { ClientErrorCode, responseError } from '../errors.js'
import type { EndInfo, Incoming, TransportContext, TransportHandlers } from './types.js'

/** `<endpoint>?channel=a&channel=b&cursor=<cursor>` plus extra parameters. */
export function subscribeUrl(ctx: TransportContext, extra: Record<string, string> = {}): string {
  const url = new URL(ctx.url)
  for (const channel of ctx.channels) url.searchParams.append('channel', channel)
  const cursor = ctx.position()
  if (cursor !== undefined) url.searchParams.set('cursor', cursor)
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value)
  return url.href
}

/** What an error answer means for the subscription: a coded 400/401/403 is final, anything else is the network's. */
export async function endInfoFor(res: Response): Promise<EndInfo> {
  const error = await responseError(res)
  const final = (res.status === 400 || res.status === 401 || res.status === 403) && error.code !== ClientErrorCode.Protocol
  return final ? { status: res.status, error } : { status: res.status }
}

/** Maps a parsed server frame to what the subscription understands. Returns true for `close` (the server said bye). */
export function forward(handlers: TransportHandlers, raw: unknown): boolean {
  const frame = raw as Incoming
  if (frame.type === 'close') return true
  handlers.frame(frame.type === 'hello' ? { type: 'hello', cursor: frame.cursor } : frame)
  return false
}

/** Longest line or event a stream may leave unterminated before the client drops the connection. */
export const MAX_FRAME_CHARS = 4 * 1024 * 1024

/**
 * A streaming GET: headers -> `open`, body text (decoded with `stream: true`, so a multi-byte character split
 * across chunks survives) -> `onText`, end of body or error -> `end`. `onText` returns true when the server said
 * goodbye. Aborted by `close()`, after which no handler runs.
 */
export function httpStream(
  ctx: TransportContext,
  handlers: TransportHandlers,
  accept: string,
  onText: (text: string) => boolean,
): { close(): void } {
  const abort = new AbortController()
  let done = false
  const finish = (info: EndInfo) => {
    if (done) return
    done = true
    abort.abort()
    handlers.end(info)
  }
  const run = async () => {
    const res = await ctx.fetch(subscribeUrl(ctx), {
      headers: { accept },
      signal: abort.signal,
    })
    if (!res.ok || !res.body) return finish(res.ok ? {} : await endInfoFor(res))
    if (done) return
    handlers.open()
    const reader = res.body.getReader()
    const decoder = new TextDecoder('utf-8')
    let byServer = false
    for (;;) {
      const { value, done: eof } = await reader.read()
      if (done) return
      if (eof) break
      if (onText(decoder.decode(value, { stream: true }))) byServer = true
    }
    finish({ byServer })
  }
  run().catch(() => finish({}))
  return {
    close() {
      done = true
      abort.abort()
    },
  }
}
