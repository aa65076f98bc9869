import { bearer } from '../auth.js'
import { ClientErrorCode, responseError } from '../errors.js'
import type { EndInfo, Incoming, TransportContext, TransportHandlers } from './types.js'

/** `<endpoint>?channel=a&channel=b&cursor=<cursor>[&holdMs=<ms>][&format=runs]` (the format on polls only). */
export function subscribeUrl(ctx: TransportContext, holdMs?: number): string {
  const url = new URL(ctx.url)
  const params = url.searchParams
  for (const channel of ctx.channels) params.append('channel', channel)
  const cursor = ctx.position()
  if (cursor) params.set('cursor', cursor)
  if (holdMs !== undefined) params.set('holdMs', String(holdMs))
  if (holdMs !== undefined && ctx.pollFormat) params.set('format', ctx.pollFormat)
  return url.href
}

/** The request of a stream or a poll: its signal and credential. */
export const requestInit = (ctx: TransportContext, signal: AbortSignal): RequestInit => ({ signal, headers: bearer(ctx.token) })

/** What an error answer means: a coded 400/401/403 from the server is final; anything else is the network's. */
export async function endInfoFor(res: Response): Promise<EndInfo> {
  const error = await responseError(res)
  const status = res.status
  return status < 404 && status !== 402 && error.code !== ClientErrorCode.Protocol ? { status, error } : { status }
}

/** Longest line or event a stream may leave unterminated before the client drops the connection. */
export const MAX_FRAME_CHARS = 1 << 22

/** Thrown inside a stream's text handler when the server sent something that is not a frame. */
const MALFORMED = new Error('malformed stream')

/**
 * A streaming GET (no Accept header: a simple request, so no CORS preflight): headers -> `open`, body
 * text (decoded with `stream: true`, so a multi-byte character split across chunks survives) -> `onFrame` for each
 * parsed frame, end of body or error -> `end`. Aborted by `close()`, after which no handler runs.
 */
export function httpStream(
  ctx: TransportContext,
  handlers: TransportHandlers,
  feed: (text: string, emit: (frame: Incoming | undefined) => void) => void,
): { close(): void } {
  const abort = new AbortController()
  let done = false
  /** The server's `close` frame, when it sent one. */
  let closing: { readonly code?: string | undefined } | undefined
  const close = () => {
    done = true
    abort.abort()
  }
  const finish = (info: EndInfo) => {
    if (done) return
    close()
    handlers.end(info)
  }
  const emit = (frame: Incoming | undefined) => {
    if (!frame) throw MALFORMED
    if (done) return
    if (frame.type === 'close') closing = frame
    else handlers.frame(frame)
  }
  const run = async () => {
    const res = await ctx.fetch(subscribeUrl(ctx), requestInit(ctx, abort.signal))
    if (!res.ok) return finish(await endInfoFor(res))
    if (done) return
    handlers.open()
    const reader = res.body?.getReader()
    if (!reader) throw MALFORMED
    const decoder = new TextDecoder()
    for (;;) {
      const { value, done: eof } = await reader.read()
      if (done) return
      if (eof) return finish({ byServer: !!closing, code: closing?.code })
      feed(decoder.decode(value, { stream: true }), emit)
    }
  }
  run().catch((error: unknown) => finish(error === MALFORMED ? { malformed: 'a malformed stream' } : {}))
  return { close }
}
