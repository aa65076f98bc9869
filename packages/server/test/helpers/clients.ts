import type { LogEvent, TransportName } from '@pushline/core'
import { waitFor } from '@pushline/testing'
import { EventSource } from 'eventsource'
import { fetch } from 'undici'
import WebSocket from 'ws'
import type { TestApp } from './app.js'

/** Any frame as the test sees it: `type` plus the frame's fields (long-poll answers are turned into frames). */
export type Frame = { type: string } & Record<string, unknown>

/** A subscription refused before anything was delivered. */
export class Refused extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly retryAfter?: string | null,
    /** The refused channels of a 403 RT_ERR_AUTH_FORBIDDEN (`error.channels`). */
    readonly channels?: readonly string[],
  ) {
    super(`refused ${status} ${code}`)
  }
}

export interface TestSubscriber {
  readonly frames: Frame[]
  events(): LogEvent[]
  /** Resolves once `count` events have arrived (fails after 5 s). */
  waitEvents(count: number): Promise<LogEvent[]>
  waitFrame(type: string): Promise<Frame>
  close(): Promise<void>
}

export interface SubscribeRequest {
  readonly channels: readonly string[]
  readonly cursor?: string
  readonly headers?: Record<string, string>
}

export interface TransportClient {
  readonly name: TransportName
  /** Resolves once the stream is open (hello / subscribed / first poll answered), or rejects with Refused. */
  subscribe(app: TestApp, request: SubscribeRequest): Promise<TestSubscriber>
}

function collector(frames: Frame[], onClose: () => Promise<void>): TestSubscriber {
  const wait = <T>(check: () => T | undefined, what: string): Promise<T> =>
    waitFor(check, what, { describe: () => `got ${JSON.stringify(frames).slice(0, 500)}` })
  const events = (): LogEvent[] =>
    frames
      .filter((frame) => frame.type === 'event')
      .map((frame) => ({ channel: frame.channel as string, cursor: frame.cursor as string, data: frame.data }))
  return {
    frames,
    events,
    waitEvents: (count) => wait(() => (events().length >= count ? events() : undefined), `${count} events`),
    waitFrame: (type) => wait(() => frames.find((frame) => frame.type === type), `a ${type} frame`),
    close: onClose,
  }
}

function query(request: SubscribeRequest): string {
  const params = new URLSearchParams()
  for (const channel of request.channels) params.append('channel', channel)
  if (request.cursor !== undefined) params.set('cursor', request.cursor)
  return params.toString()
}

async function refusal(response: { status: number; text(): Promise<string>; headers: { get(name: string): string | null } }): Promise<Refused> {
  const body = await response.text()
  let error: { code?: string; channels?: string[] } | undefined
  try {
    error = JSON.parse(body).error
  } catch {}
  return new Refused(response.status, error?.code, response.headers.get('retry-after'), error?.channels)
}

/** NDJSON read with undici fetch, line by line as chunks arrive. */
export const ndjsonClient: TransportClient = {
  name: 'ndjson',
  async subscribe(app, request) {
    const abort = new AbortController()
    const response = await app.fetch(`/stream?${query(request)}`, { signal: abort.signal, headers: request.headers })
    if (response.status !== 200 || !response.body) throw await refusal(response)
    const frames: Frame[] = []
    const decoder = new TextDecoder()
    let buffered = ''
    const done = (async () => {
      try {
        for await (const chunk of response.body!) {
          buffered += decoder.decode(chunk, { stream: true })
          let newline = buffered.indexOf('\n')
          while (newline >= 0) {
            frames.push(JSON.parse(buffered.slice(0, newline)))
            buffered = buffered.slice(newline + 1)
            newline = buffered.indexOf('\n')
          }
        }
      } catch {}
    })()
    const subscriber = collector(frames, async () => {
      abort.abort()
      await done
    })
    await subscriber.waitFrame('hello')
    return subscriber
  },
}

/** The `eventsource` package: a spec-compliant EventSource (its reconnect is left on; tests that need it use it). */
export const sseClient: TransportClient = {
  name: 'sse',
  async subscribe(app, request) {
    const url = `${app.base}/sse?${query(request)}`
    const frames: Frame[] = []
    let status = 0
    let refused: Refused | undefined
    const source = new EventSource(url, {
      fetch: async (input, init) => {
        const response = await fetch(input, { ...init, headers: { ...init.headers, ...request.headers }, dispatcher: app.agent })
        status = response.status
        if (status !== 200) refused = await refusal(response.clone())
        return response
      },
    })
    source.onmessage = (message) => frames.push({ type: 'event', ...JSON.parse(message.data) })
    for (const type of ['hello', 'reset', 'close', 'heartbeat']) {
      source.addEventListener(type, (message) => frames.push(JSON.parse((message as MessageEvent).data)))
    }
    const subscriber = collector(frames, async () => source.close())
    await new Promise<void>((resolve, reject) => {
      source.addEventListener('hello', () => resolve(), { once: true })
      source.addEventListener('error', () => {
        if (source.readyState === EventSource.CLOSED) reject(refused ?? new Refused(status, undefined))
      })
    })
    return Object.assign(subscriber, { source })
  },
}

/** The `ws` package. Sends one subscribe after hello and waits for `subscribed`. */
export const websocketClient: TransportClient = {
  name: 'websocket',
  async subscribe(app, request) {
    const ws = new WebSocket(`${app.wsBase}/ws`, { headers: request.headers })
    const frames: Frame[] = []
    let closeCode: number | undefined
    ws.on('message', (data) => frames.push(JSON.parse(data.toString())))
    const closed = new Promise<void>((resolve) => ws.once('close', (code) => {
      closeCode = code
      resolve()
    }))
    const subscriber = collector(frames, async () => {
      ws.close()
      await closed
    })
    await new Promise<void>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => {
          body += chunk
        })
        res.on('end', () => {
          let code: string | undefined
          try {
            code = JSON.parse(body).error?.code
          } catch {}
          reject(new Refused(res.statusCode ?? 0, code, res.headers['retry-after'] as string | undefined))
        })
      })
      ws.once('error', () => {})
      ws.once('open', () => resolve())
    })
    ws.send(JSON.stringify({ type: 'subscribe', channels: request.channels, cursor: request.cursor }))
    await Promise.race([subscriber.waitFrame('subscribed'), closed])
    if (!frames.some((frame) => frame.type === 'subscribed')) {
      await closed
      const error = frames.find((frame) => frame.type === 'error')?.error as { code?: string; channels?: string[] } | undefined
      throw new Refused(closeCode ?? 0, error?.code, undefined, error?.channels)
    }
    return Object.assign(subscriber, { ws, closeCode: () => closeCode })
  },
}

/** Plain HTTP long-polls in a loop; answers become frames (200 -> events, 410 -> reset, 204 -> nothing). */
export const longpollClient: TransportClient = {
  name: 'longpoll',
  async subscribe(app, request) {
    const frames: Frame[] = []
    const abort = new AbortController()
    let cursor = request.cursor
    if (cursor === undefined) {
      const response = await app.fetch(`/poll?${query(request)}`, { headers: request.headers })
      if (response.status !== 200) throw await refusal(response)
      cursor = ((await response.json()) as { cursor: string }).cursor
    }
    type Answer = Awaited<ReturnType<TestApp['fetch']>>
    /** One poll; returns the response when it is a refusal (anything but 200 / 204 / 410). */
    const poll = async (holdMs?: number): Promise<Answer | undefined> => {
      const hold = holdMs === undefined ? '' : `&holdMs=${holdMs}`
      const response = await app.fetch(`/poll?${query({ ...request, cursor })}${hold}`, { signal: abort.signal, headers: request.headers })
      if (response.status === 200) {
        const batch = (await response.json()) as { events: LogEvent[]; cursor: string }
        for (const event of batch.events) frames.push({ type: 'event', ...event })
        cursor = batch.cursor
      } else if (response.status === 410) {
        const reset = (await response.json()) as Frame & { cursor: string }
        frames.push(reset)
        cursor = reset.cursor
      } else if (response.status === 204) {
        await response.arrayBuffer()
        frames.push({ type: 'expired' })
      } else {
        return response
      }
      return undefined
    }
    // A first poll with holdMs=0 answers at once: refusals show up here, deterministically.
    frames.push({ type: 'hello', cursor })
    const refused = await poll(0)
    if (refused) throw await refusal(refused)
    const done = (async () => {
      try {
        while (!abort.signal.aborted) {
          if (await poll()) return
        }
      } catch {}
    })()
    return collector(frames, async () => {
      abort.abort()
      await done
    })
  },
}

export const CLIENTS: readonly TransportClient[] = [websocketClient, sseClient, ndjsonClient, longpollClient]
