import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type PushlineOptions, pushline } from '../src/index.js'
import { startApp, type TestApp } from './helpers/app.js'

const json = { 'content-type': 'application/json' }

// Publish, negotiate, CORS, methods, metrics and option validation over plain HTTP.
describe('HTTP surface', () => {
  let t: TestApp | undefined
  const start = async (options: PushlineOptions = {}) => {
    t = await startApp(options)
    return t
  }
  afterEach(async () => {
    await t?.close()
    t = undefined
  })
  const post = (app: TestApp, body: string, headers: Record<string, string> = json) =>
    app.fetch('/publish', { method: 'POST', headers, body })
  const errorCode = async (response: { json(): Promise<unknown> }) => ((await response.json()) as { error: { code: string } }).error.code

  it('negotiates the enabled transports in the configured order', async () => {
    const app = await start({ transports: ['sse', 'longpoll'], holdMs: 1000, heartbeatMs: 500 })
    expect(await (await app.fetch('/negotiate')).json()).toEqual({
      protocol: 1,
      transports: ['sse', 'longpoll'],
      endpoints: { websocket: '/rt/ws', sse: '/rt/sse', ndjson: '/rt/stream', longpoll: '/rt/poll', publish: '/rt/publish' },
      holdMs: 1000,
      heartbeatMs: 500,
      limits: { maxChannels: 64 },
      longpollFormats: ['compact', 'runs'],
      cursor: await app.app.pushline.log.head(),
    })
    expect((await app.fetch('/stream?channel=a')).status).toBe(404)
  })

  it('publishes with 201 and the cursor of the event', async () => {
    const app = await start()
    const response = await post(app, JSON.stringify({ channel: 'chat', data: { text: 'hi' } }))
    expect(response.status).toBe(201)
    const { cursor } = (await response.json()) as { cursor: string }
    expect(cursor).toBe(await app.app.pushline.log.head())
  })

  it.each([
    ['invalid JSON', '{"channel":', 400, 'RT_ERR_REQUEST_JSON'],
    ['no data', '{"channel":"a"}', 400, 'RT_ERR_REQUEST_INVALID'],
    ['a bad channel', '{"channel":"a b","data":1}', 400, 'RT_ERR_CHANNEL_INVALID'],
    ['a non-object', '[1]', 400, 'RT_ERR_REQUEST_INVALID'],
    ['a null body', 'null', 400, 'RT_ERR_REQUEST_INVALID'],
    ['a channel that is not a string', '{"channel":5,"data":1}', 400, 'RT_ERR_REQUEST_INVALID'],
    ['no channel', '{"data":1}', 400, 'RT_ERR_REQUEST_INVALID'],
    ['an oversize body', JSON.stringify({ channel: 'a', data: 'x'.repeat(70_000) }), 413, 'RT_ERR_PAYLOAD_TOO_LARGE'],
  ])('refuses %s with a coded error', async (_what, body, status, code) => {
    const app = await start()
    const response = await post(app, body)
    expect(response.status).toBe(status)
    expect(await errorCode(response)).toBe(code)
  })

  it('takes null as data (it is JSON) and ignores extra fields', async () => {
    const app = await start()
    const before = await app.app.pushline.log.head()
    const response = await post(app, '{"channel":"a","data":null,"extra":true}')
    expect(response.status).toBe(201)
    const read = await app.app.pushline.log.read(['a'], before)
    expect(read.type === 'events' && read.events.map((event) => event.data)).toEqual([null])
  })

  it('refuses a body that is not JSON with 415', async () => {
    const app = await start()
    const response = await post(app, 'hello', { 'content-type': 'application/x-www-form-urlencoded' })
    expect(response.status).toBe(415)
    expect(await errorCode(response)).toBe('RT_ERR_REQUEST_CONTENT_TYPE')
  })

  it('rate-limits publishes per client with 429 and Retry-After', async () => {
    const app = await start({ limits: { publishBurst: 3, publishPerSecond: 0.5 } })
    const statuses: number[] = []
    let last: Awaited<ReturnType<TestApp['fetch']>> | undefined
    for (let i = 0; i < 5; i++) {
      last = await post(app, JSON.stringify({ channel: 'a', data: i }))
      statuses.push(last.status)
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429])
    expect(last!.headers.get('retry-after')).toBe('2')
    expect(await errorCode(last!)).toBe('RT_ERR_LIMIT_PUBLISH_RATE')
  })

  it('asks authorize before publishing', async () => {
    const app = await start({ authorize: (_request, { action, channels }) => action !== 'publish' || channels[0] !== 'locked' })
    const denied = await post(app, JSON.stringify({ channel: 'locked', data: 1 }))
    expect(denied.status).toBe(403)
    expect(await errorCode(denied)).toBe('RT_ERR_AUTH_FORBIDDEN')
    expect(await app.app.pushline.log.read(['locked'], `${(await app.app.pushline.log.head()).split('-')[0]}-0`)).toMatchObject({ events: [] })
    expect((await post(app, JSON.stringify({ channel: 'open', data: 1 }))).status).toBe(201)
  })

  it('validates published data against the channel declarations', async () => {
    const app = await start({ channels: { chat: z.object({ text: z.string() }) } })
    expect((await post(app, JSON.stringify({ channel: 'chat', data: { text: 'ok' } }))).status).toBe(201)
    const invalid = await post(app, JSON.stringify({ channel: 'chat', data: { text: 5 } }))
    expect(invalid.status).toBe(400)
    expect(await errorCode(invalid)).toBe('RT_ERR_PAYLOAD_SCHEMA')
    const undeclared = await post(app, JSON.stringify({ channel: 'other', data: 1 }))
    expect(await errorCode(undeclared)).toBe('RT_ERR_CHANNEL_UNDECLARED')
    await expect(app.app.pushline.publish('chat', { text: 1 })).rejects.toMatchObject({ code: 'RT_ERR_PAYLOAD_SCHEMA' })
  })

  it('allows undeclared channels when strictChannels is false', async () => {
    const app = await start({ channels: { chat: z.object({ text: z.string() }) }, strictChannels: false })
    expect((await post(app, JSON.stringify({ channel: 'other', data: 1 }))).status).toBe(201)
  })

  it('answers CORS preflight and requests from allowed origins only', async () => {
    const app = await start({ allowedOrigins: ['http://good.example'] })
    const preflight = await app.fetch('/publish', {
      method: 'OPTIONS',
      headers: { origin: 'http://good.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://good.example')
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type')
    const poll = await app.fetch('/poll?channel=a', { headers: { origin: 'http://good.example' } })
    expect(poll.headers.get('access-control-allow-origin')).toBe('http://good.example')
    const evil = await app.fetch('/poll?channel=a', { headers: { origin: 'http://evil.example' } })
    expect(evil.status).toBe(403)
    expect(await errorCode(evil)).toBe('RT_ERR_ORIGIN_FORBIDDEN')
    const evilPreflight = await app.fetch('/sse', { method: 'OPTIONS', headers: { origin: 'http://evil.example' } })
    expect(evilPreflight.status).toBe(403)
  })

  it('answers wrong methods with 405 + Allow and unknown paths with a coded 404', async () => {
    const app = await start()
    const wrong = await app.fetch('/sse', { method: 'DELETE' })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET, OPTIONS')
    expect(await errorCode(wrong)).toBe('RT_ERR_REQUEST_METHOD')
    expect((await app.fetch('/publish', { method: 'GET' })).status).toBe(405)
    const missing = await app.fetch('/nothing')
    expect(missing.status).toBe(404)
    expect(await errorCode(missing)).toBe('RT_ERR_REQUEST_NOT_FOUND')
    const plain = await app.fetch('/ws')
    expect(plain.status).toBe(426)
  })

  it('serves Prometheus metrics when enabled', async () => {
    const app = await start({ metrics: { public: true } })
    await post(app, JSON.stringify({ channel: 'a', data: 1 }))
    await app.fetch('/poll?channel=a')
    const text = await (await app.fetch('/metrics')).text()
    expect(text).toContain('pushline_publishes_total 1')
    expect(text).toContain('pushline_connections{transport="websocket"} 0')
    expect(app.app.pushline.metrics().publishes).toBe(1)
  })

  it('has no metrics endpoint unless enabled', async () => {
    const app = await start()
    expect((await app.fetch('/metrics')).status).toBe(404)
  })

  it('refuses bad options at registration with RT_ERR_CONFIG_INVALID', async () => {
    const app = Fastify()
    const bad = { holdMs: -1, transports: ['carrier-pigeon'], hodlMs: 5 } as unknown as PushlineOptions
    app.register(pushline, bad)
    const error = await app.ready().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'RT_ERR_CONFIG_INVALID' })
    expect(String((error as Error).message)).toMatch(/holdMs.*transports.*hodlMs|hodlMs/s)
    await app.close()
  })

  it('limits total connections across transports', async () => {
    const app = await start({ limits: { maxConnections: 1 } })
    const abort = new AbortController()
    const first = await app.fetch('/stream?channel=a', { signal: abort.signal })
    expect(first.status).toBe(200)
    const second = await app.fetch('/sse?channel=a')
    expect(second.status).toBe(429)
    expect(await errorCode(second)).toBe('RT_ERR_LIMIT_CONNECTIONS')
    abort.abort()
  })
})
