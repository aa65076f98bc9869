import { createParser } from 'eventsource-parser'
import { Agent, fetch } from 'undici'
import WebSocket from 'ws'
import { waitFor } from '../wait-for.js'

/** A frame as a plain client sees it: `type` and the frame's fields (SSE events become `type: 'event'`). */
export type Frame = { readonly type: string; readonly id?: string | undefined } & Readonly<Record<string, unknown>>

export interface NegotiateBody {
  readonly protocol: number
  readonly transports: readonly string[]
  readonly endpoints: Readonly<Record<string, string>>
  readonly holdMs: number
  readonly heartbeatMs: number
  readonly cursor?: string
  readonly limits?: { readonly maxChannels?: number }
}

/** Where the server lives and plain HTTP to it, one agent per suite (destroyed with `close`). */
export class Target {
  readonly agent = new Agent({ connections: 32 })

  constructor(readonly baseUrl: string) {}

  url(endpoint: string, query = ''): string {
    const url = new URL(endpoint, this.baseUrl)
    return query ? `${url.href}?${query}` : url.href
  }

  fetch(url: string, init: Parameters<typeof fetch>[1] = {}): ReturnType<typeof fetch> {
    return fetch(url, { dispatcher: this.agent, ...init })
  }

  async negotiate(): Promise<NegotiateBody> {
    const response = await this.fetch(`${this.baseUrl}/negotiate`)
    return (await response.json()) as NegotiateBody
  }

  async publish(endpoint: string, channel: string, data: unknown): Promise<string> {
    const response = await this.fetch(this.url(endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel, data }),
    })
    if (response.status !== 201) throw new Error(`publish answered ${response.status}: ${await response.text()}`)
    return ((await response.json()) as { cursor: string }).cursor
  }

  close(): Promise<void> {
    return this.agent.close()
  }
}

/** What a stream has delivered so far, and ways to wait for more. */
export class Recorder {
  readonly frames: Frame[] = []
  ended = false
  closeCode: number | undefined

  events(): Frame[] {
    return this.frames.filter((frame) => frame.type === 'event')
  }

  async frame(type: string, after = 0, timeoutMs = 5000): Promise<Frame> {
    return waitFor(
      () => this.frames.slice(after).find((frame) => frame.type === type),
      `a ${type} frame`,
      { timeoutMs, describe: () => JSON.stringify(this.frames).slice(0, 400) },
    )
  }

  async eventCount(count: number): Promise<Frame[]> {
    return waitFor(() => (this.events().length >= count ? this.events() : undefined), `${count} events`, {
      describe: () => JSON.stringify(this.frames).slice(0, 400),
    })
  }

  async end(): Promise<void> {
    await waitFor(() => this.ended, 'the end of the stream')
  }
}

export interface HttpStream extends Recorder {
  readonly status: number
  readonly headers: Headers | { get(name: string): string | null }
  /** The error body of a refusal. */
  readonly error: { code?: string } | undefined
  close(): Promise<void>
}

/** A streaming GET (SSE or NDJSON) read with fetch, parsed as it arrives. */
export async function openHttpStream(
  target: Target,
  kind: 'sse' | 'ndjson',
  url: string,
  headers: Record<string, string> = {},
): Promise<HttpStream> {
  const abort = new AbortController()
  const response = await target.fetch(url, { headers, signal: abort.signal })
  const recorder = new Recorder()
  let error: { code?: string } | undefined
  if (response.status !== 200 || !response.body) {
    const body = (await response.json().catch(() => undefined)) as { error?: { code?: string } } | undefined
    error = body?.error ?? {}
    recorder.ended = true
  }
  const parse = kind === 'sse' ? sseParser(recorder) : ndjsonParser(recorder)
  const body = response.status === 200 ? response.body : null
  const done = (async () => {
    if (!body) return
    const decoder = new TextDecoder()
    try {
      for await (const chunk of body) parse(decoder.decode(chunk, { stream: true }))
    } catch {
      // Aborted by close(), or cut by the server: `ended` says so either way.
    }
    recorder.ended = true
  })()
  return Object.assign(recorder, {
    status: response.status,
    headers: response.headers,
    error,
    async close() {
      abort.abort()
      await done
    },
  })
}

function sseParser(recorder: Recorder): (text: string) => void {
  const parser = createParser({
    onEvent(message) {
      const data = JSON.parse(message.data) as Record<string, unknown>
      const type = message.event ?? 'event'
      recorder.frames.push({ ...data, type: type === 'event' ? 'event' : String(data.type ?? type), id: message.id })
    },
  })
  return (text) => parser.feed(text)
}

function ndjsonParser(recorder: Recorder): (text: string) => void {
  let buffered = ''
  return (text) => {
    buffered += text
    let newline = buffered.indexOf('\n')
    while (newline >= 0) {
      const line = buffered.slice(0, newline)
      buffered = buffered.slice(newline + 1)
      if (line.trim() !== '') recorder.frames.push(JSON.parse(line) as Frame)
      newline = buffered.indexOf('\n')
    }
  }
}

export interface WsStream extends Recorder {
  readonly ws: WebSocket
  send(message: unknown): void
  close(): Promise<void>
}

/** A WebSocket with the `ws` package: resolves once open (or with `refused` set to the HTTP status). */
export async function openWs(url: string): Promise<WsStream & { refused?: number }> {
  const ws = new WebSocket(url)
  const recorder = new Recorder()
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) recorder.frames.push(JSON.parse(data.toString()) as Frame)
  })
  const closed = new Promise<void>((resolve) =>
    ws.once('close', (code: number) => {
      recorder.closeCode = code
      recorder.ended = true
      resolve()
    }),
  )
  const refused = await new Promise<number | undefined>((resolve) => {
    ws.once('open', () => resolve(undefined))
    ws.once('unexpected-response', (_request, response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
      ws.terminate()
    })
    ws.once('error', () => resolve(0))
  })
  return Object.assign(recorder, {
    ws,
    refused,
    send: (message: unknown) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    async close() {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close()
      await closed
    },
  })
}

/** `?channel=a&channel=b&cursor=c` */
export function subscriptionQuery(channels: readonly string[], cursor?: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams()
  for (const channel of channels) params.append('channel', channel)
  if (cursor !== undefined) params.set('cursor', cursor)
  for (const [name, value] of Object.entries(extra)) params.set(name, value)
  return params.toString()
}
