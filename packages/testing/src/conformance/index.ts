import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type NegotiateBody, openHttpStream, openWs, subscriptionQuery, Target } from './clients.js'
import { closeFramesSuite } from './shutdown.js'

export {
  type Frame,
  type HttpStream,
  type NegotiateBody,
  openHttpStream,
  openWs,
  Recorder,
  subscriptionQuery,
  Target,
  type WsStream,
} from './clients.js'

export interface ConformanceOptions {
  /** The server's prefix URL, e.g. `http://127.0.0.1:3000/rt` (a function when it is only known once started). */
  readonly baseUrl: string | (() => string)
  /**
   * A cursor the server cannot serve (another epoch of the log, or expired): subscriptions from it must get a
   * reset. Without it the reset checks are skipped.
   */
  readonly unservableCursor?: () => Promise<string>
  /**
   * A fresh server of the same kind and a way to shut it down, for the close-frame checks (shutdown ends every
   * connection). Without it they are skipped.
   */
  readonly shutdownTarget?: () => Promise<{ readonly baseUrl: string; shutdown(): Promise<void> }>
}

const STREAMS = ['sse', 'ndjson'] as const

/**
 * Protocol 1 from the outside, with plain clients (fetch, `ws`, an SSE parser), on every transport the server
 * negotiates: hello, live events, resume by cursor and by Last-Event-ID, long-poll 200/204/410, heartbeats,
 * close frames, error codes and limits, and the marked extensions (Pushline-Cursor, the heartbeat after the hello,
 * the head in negotiate). What a second implementation of the server would run.
 */
export function runProtocolConformance(options: ConformanceOptions): void {
  let target: Target
  let info: NegotiateBody
  let serial = 0
  const channel = (): string => `conformance.${process.pid}.${Date.now().toString(36)}.${serial++}`
  const endpoint = (name: string): string => {
    const path = info.endpoints[name]
    if (path === undefined) throw new Error(`negotiate names no ${name} endpoint`)
    return path
  }
  const publish = (name: string, data: unknown): Promise<string> => target.publish(endpoint('publish'), name, data)
  const publishMany = async (name: string, count: number): Promise<string[]> => {
    const cursors: string[] = []
    for (let i = 0; i < count; i++) cursors.push(await publish(name, { n: i }))
    return cursors
  }
  const offers = (transport: string): boolean => info.transports.includes(transport)

  beforeAll(async () => {
    target = new Target(typeof options.baseUrl === 'function' ? options.baseUrl() : options.baseUrl)
    info = await target.negotiate()
  })
  afterAll(async () => {
    await target?.close()
  })

  describe('negotiate', () => {
    it('answers protocol 1 with the transports, their endpoints and the timings', async () => {
      const response = await target.fetch(`${target.baseUrl}/negotiate`)
      expect(response.status).toBe(200)
      const body = (await response.json()) as NegotiateBody
      expect(body.protocol).toBe(1)
      expect(body.transports.length).toBeGreaterThan(0)
      for (const transport of [...body.transports, 'publish']) expect(typeof body.endpoints[transport]).toBe('string')
      expect(body.holdMs).toBeGreaterThanOrEqual(0)
      expect(body.heartbeatMs).toBeGreaterThan(0)
    })

    it('(extension) carries the log head now, and is not to be stored', async () => {
      const name = channel()
      const cursor = await publish(name, 'head')
      const response = await target.fetch(`${target.baseUrl}/negotiate`)
      expect(response.headers.get('cache-control')).toBe('no-store')
      const body = (await response.json()) as NegotiateBody
      expect(typeof body.cursor).toBe('string')
      expect(body.cursor).not.toBe(info.cursor)
      expect(cursor).toBeTruthy()
    })
  })

  describe('errors', () => {
    const errorOf = async (response: { json(): Promise<unknown> }): Promise<string | undefined> =>
      ((await response.json()) as { error?: { code?: string; message?: string } }).error?.code

    it('answers an unknown path under the prefix 404 in the documented format', async () => {
      const response = await target.fetch(`${target.baseUrl}/no-such-endpoint`)
      expect(response.status).toBe(404)
      expect(await errorOf(response)).toBe('RT_ERR_REQUEST_NOT_FOUND')
    })

    it('answers a wrong method 405 with Allow', async () => {
      const response = await target.fetch(`${target.baseUrl}/negotiate`, { method: 'DELETE' })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toContain('GET')
      expect(await errorOf(response)).toBe('RT_ERR_REQUEST_METHOD')
    })

    it.each([
      ['invalid JSON', '{"channel":', 400, 'RT_ERR_REQUEST_JSON'],
      ['no data', '{"channel":"a"}', 400, 'RT_ERR_REQUEST_INVALID'],
      ['a bad channel name', '{"channel":"a b","data":1}', 400, 'RT_ERR_CHANNEL_INVALID'],
    ])('refuses a publish with %s', async (_what, body, status, code) => {
      const response = await target.fetch(target.url(endpoint('publish')), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      expect(response.status).toBe(status)
      expect(await errorOf(response)).toBe(code)
    })

    it('refuses a publish that is not JSON with 415', async () => {
      const response = await target.fetch(target.url(endpoint('publish')), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'x=1',
      })
      expect(response.status).toBe(415)
      expect(await errorOf(response)).toBe('RT_ERR_REQUEST_CONTENT_TYPE')
    })

    it('answers a plain GET on the WebSocket endpoint 426', async (context) => {
      if (!offers('websocket')) return context.skip()
      const response = await target.fetch(target.url(endpoint('websocket')))
      expect(response.status).toBe(426)
      expect(await errorOf(response)).toBe('RT_ERR_REQUEST_UPGRADE')
    })
  })

  describe.each(STREAMS)('%s', (transport) => {
    const open = (query: string, headers?: Record<string, string>) =>
      openHttpStream(target, transport, target.url(endpoint(transport), query), headers)

    it('starts with hello (Pushline-Cursor in the headers), then a heartbeat, then live events in order', async (context) => {
      if (!offers(transport)) return context.skip()
      const name = channel()
      const head = await publish(name, 'before')
      const stream = await open(subscriptionQuery([name]))
      try {
        expect(stream.status).toBe(200)
        const hello = await stream.frame('hello')
        expect(stream.frames[0]).toBe(hello)
        expect(hello).toMatchObject({ protocol: 1, cursor: head, heartbeatMs: info.heartbeatMs })
        expect(stream.headers.get('pushline-cursor')).toBe(head)
        await stream.frame('heartbeat')
        expect(stream.frames[1]?.type).toBe('heartbeat')
        const cursors = await publishMany(name, 3)
        const events = await stream.eventCount(3)
        expect(events.map((event) => event.cursor)).toEqual(cursors)
        expect(events.map((event) => event.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }])
        expect(events.every((event) => event.channel === name)).toBe(true)
      } finally {
        await stream.close()
      }
    })

    it('resumes after a cursor with no gap and no duplicate', async (context) => {
      if (!offers(transport)) return context.skip()
      const name = channel()
      const cursors = await publishMany(name, 5)
      const stream = await open(subscriptionQuery([name], cursors[1]))
      try {
        expect((await stream.frame('hello')).cursor).toBe(cursors[1])
        expect(stream.headers.get('pushline-cursor')).toBe(cursors[1])
        expect((await stream.eventCount(3)).map((event) => event.cursor)).toEqual(cursors.slice(2))
      } finally {
        await stream.close()
      }
    })

    it.for([
      ['no channel', () => '', 'RT_ERR_CHANNEL_INVALID'],
      ['a malformed cursor', (name: string) => subscriptionQuery([name], 'not a cursor'), 'RT_ERR_CURSOR_MALFORMED'],
    ] as const)('refuses %s with 400', async ([, query, code], context) => {
      if (!offers(transport)) return context.skip()
      const stream = await open(query(channel()))
      expect(stream.status).toBe(400)
      expect(stream.error?.code).toBe(code)
    })

    it('refuses more channels than limits.maxChannels', async (context) => {
      const max = info.limits?.maxChannels
      if (!offers(transport) || max === undefined) return context.skip()
      const stream = await open(subscriptionQuery(Array.from({ length: max + 1 }, (_, i) => `c${i}`)))
      expect(stream.status).toBe(400)
      expect(stream.error?.code).toBe('RT_ERR_CHANNEL_TOO_MANY')
    })

    it('answers a cursor it cannot serve with a reset, then what it has', async (context) => {
      if (!offers(transport) || !options.unservableCursor) return context.skip()
      const name = channel()
      const stream = await open(subscriptionQuery([name], await options.unservableCursor()))
      try {
        const reset = await stream.frame('reset')
        expect(['expired', 'epoch']).toContain(reset.reason)
        const cursor = await publish(name, 'after')
        expect((await stream.eventCount(1))[0]?.cursor).toBe(cursor)
      } finally {
        await stream.close()
      }
    })
  })

  describe('sse', () => {
    it('resumes exactly after Last-Event-ID, which wins over ?cursor=', async (context) => {
      if (!offers('sse')) return context.skip()
      const name = channel()
      const cursors = await publishMany(name, 4)
      const stream = await openHttpStream(target, 'sse', target.url(endpoint('sse'), subscriptionQuery([name], cursors[0])), {
        'last-event-id': cursors[2] ?? '',
      })
      try {
        expect((await stream.frame('hello')).cursor).toBe(cursors[2])
        const events = await stream.eventCount(1)
        expect(events.map((event) => event.cursor)).toEqual([cursors[3]])
        // Every event's id is its cursor: EventSource's Last-Event-ID is always a resume point.
        expect(events[0]?.id).toBe(cursors[3])
      } finally {
        await stream.close()
      }
    })
  })

  describe('longpoll', () => {
    const poll = (query: string) => target.fetch(target.url(endpoint('longpoll'), query))

    it('answers a poll without cursor at once with the position to poll from', async (context) => {
      if (!offers('longpoll')) return context.skip()
      const name = channel()
      const head = await publish(name, 'x')
      const response = await poll(subscriptionQuery([name]))
      expect(response.status).toBe(200)
      expect(response.headers.get('pushline-cursor')).toBe(head)
      expect(await response.json()).toEqual({ events: [], cursor: head })
    })

    it('answers events waiting at once, and holds until the next one otherwise', async (context) => {
      if (!offers('longpoll')) return context.skip()
      const name = channel()
      const cursors = await publishMany(name, 3)
      const waiting = await poll(subscriptionQuery([name], cursors[0]))
      expect(waiting.status).toBe(200)
      const batch = (await waiting.json()) as { events: { cursor: string }[]; cursor: string }
      expect(batch.events.map((event) => event.cursor)).toEqual(cursors.slice(1))
      expect(waiting.headers.get('pushline-cursor')).toBe(batch.cursor)
      const held = poll(subscriptionQuery([name], batch.cursor))
      const next = await publish(name, 'woke')
      const woken = await held
      expect(woken.status).toBe(200)
      expect(((await woken.json()) as { events: { cursor: string; data: unknown }[] }).events).toEqual([
        { channel: name, cursor: next, data: 'woke' },
      ])
    })

    it('answers 204, no body, the cursor unchanged, when the hold ends', async (context) => {
      if (!offers('longpoll')) return context.skip()
      const name = channel()
      const cursor = await publish(name, 'x')
      const response = await poll(subscriptionQuery([channel()], cursor, { holdMs: '0' }))
      expect(response.status).toBe(204)
      expect(await response.text()).toBe('')
      expect(response.headers.get('pushline-cursor')).toBe(cursor)
    })

    it('answers a cursor it cannot serve 410 with the reset', async (context) => {
      if (!offers('longpoll') || !options.unservableCursor) return context.skip()
      const response = await poll(subscriptionQuery([channel()], await options.unservableCursor()))
      expect(response.status).toBe(410)
      const reset = (await response.json()) as { type: string; reason: string; cursor: string }
      expect(reset.type).toBe('reset')
      expect(['expired', 'epoch']).toContain(reset.reason)
      expect(response.headers.get('pushline-cursor')).toBe(reset.cursor)
    })
  })

  describe('websocket', () => {
    const open = () => openWs(target.url(endpoint('websocket')).replace(/^http/, 'ws'))

    it('says hello, answers subscribe with subscribed, then streams events and resumes by cursor', async (context) => {
      if (!offers('websocket')) return context.skip()
      const name = channel()
      const cursors = await publishMany(name, 3)
      const ws = await open()
      try {
        expect(ws.refused).toBeUndefined()
        const hello = await ws.frame('hello')
        expect(hello).toMatchObject({ protocol: 1, cursor: cursors[2], heartbeatMs: info.heartbeatMs })
        ws.send({ type: 'subscribe', channels: [name], cursor: cursors[0] })
        expect(await ws.frame('subscribed')).toMatchObject({ channels: [name], cursor: cursors[0] })
        const live = await publish(name, 'live')
        expect((await ws.eventCount(3)).map((event) => event.cursor)).toEqual([...cursors.slice(1), live])
      } finally {
        await ws.close()
      }
    })

    it('acks a publish with its cursor, answers a bad one with an error frame and stays open', async (context) => {
      if (!offers('websocket')) return context.skip()
      const ws = await open()
      try {
        await ws.frame('hello')
        ws.send({ type: 'publish', id: 'p1', channel: channel(), data: { ok: true } })
        const ack = await ws.frame('ack')
        expect(ack.id).toBe('p1')
        expect(typeof ack.cursor).toBe('string')
        ws.send({ type: 'publish', id: 'p2', channel: 'a b', data: 1 })
        const error = await ws.frame('error')
        expect(error).toMatchObject({ id: 'p2', error: { code: 'RT_ERR_CHANNEL_INVALID' } })
        expect(ws.ended).toBe(false)
      } finally {
        await ws.close()
      }
    })

    it.for([
      ['a message that is not JSON', 'nope', 'RT_ERR_WS_MESSAGE_INVALID'],
      ['a subscribe without channels', { type: 'subscribe', channels: [] }, 'RT_ERR_CHANNEL_INVALID'],
      ['a malformed cursor', { type: 'subscribe', channels: ['a'], cursor: 'not a cursor' }, 'RT_ERR_CURSOR_MALFORMED'],
    ] as const)('closes 4400 after an error frame for %s', async ([, message, code], context) => {
      if (!offers('websocket')) return context.skip()
      const ws = await open()
      await ws.frame('hello')
      ws.send(message)
      expect(await ws.frame('error')).toMatchObject({ error: { code } })
      await ws.end()
      expect(ws.closeCode).toBe(4400)
    })
  })

  describe('heartbeats', () => {
    it.for(['sse', 'ndjson', 'websocket'])('%s: a heartbeat frame within two periods', async (transport, context) => {
      // Only where the period is short enough to wait for.
      if (!offers(transport) || info.heartbeatMs > 2000) return context.skip()
      const name = channel()
      const stream =
        transport === 'websocket'
          ? await open()
          : await openHttpStream(target, transport === 'sse' ? 'sse' : 'ndjson', target.url(endpoint(transport), subscriptionQuery([name])))
      try {
        const hello = await stream.frame('hello')
        // The periodic one: after the hello and after the heartbeat that may follow the hello at once.
        const after = stream.frames.indexOf(hello) + 2
        const beat = await stream.frame('heartbeat', after, info.heartbeatMs * 2 + 1000)
        expect(beat).toMatchObject({ type: 'heartbeat' })
        // `time` (extension): the server's clock, a number when present; a WebSocket heartbeat need not carry it
        expect(['undefined', 'number']).toContain(typeof (beat as { time?: unknown }).time)
      } finally {
        await stream.close()
      }
      function open() {
        return openWs(target.url(endpoint('websocket')).replace(/^http/, 'ws'))
      }
    })
  })

  if (options.shutdownTarget) closeFramesSuite(options.shutdownTarget)
}
