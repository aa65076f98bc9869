import { Writable } from 'node:stream'
import { startApp, waitFor } from '@pushline/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { type PushlineOptions, pushline } from '../src/index.js'
import type { TestApp } from './helpers/app.js'
import { sseClient } from './helpers/clients.js'
import { openWs } from './helpers/ws-client.js'

// The observability surface on a real server: every JSON counter scraped from /rt/metrics, fallbacks by reason,
// the publish-latency and delivery-lag histograms moving, and the connection lifecycle's debug lines.

interface LogLine {
  readonly level: number
  readonly msg: string
  readonly [field: string]: unknown
}

interface LoggedApp extends TestApp {
  readonly lines: LogLine[]
}

const apps: LoggedApp[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

/** Fastify with the plugin at /rt, port 0, its logs (JSON lines) collected at `level`. */
async function start(options: PushlineOptions = { metrics: { public: true } }, level = 'debug'): Promise<LoggedApp> {
  const lines: LogLine[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line))
      done()
    },
  })
  const app = await startApp({ logger: { level, stream }, register: (fastify) => fastify.register(pushline, { prefix: '/rt', ...options }) })
  const started: LoggedApp = Object.assign(app, { lines })
  apps.push(started)
  return started
}

/** The value of one series in Prometheus text: `name` with (at least) these labels; undefined if absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`)
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    if (rest[0] !== ' ' && rest[0] !== '{') continue
    const labelText = rest[0] === '{' ? rest.slice(1, rest.indexOf('}')) : ''
    const have = labelText === '' ? [] : labelText.split(',')
    if (wanted.every((pair) => have.includes(pair))) return Number(rest.slice(rest.lastIndexOf(' ') + 1))
  }
  return undefined
}

async function scrape(app: TestApp): Promise<string> {
  const response = await app.fetch('/metrics')
  expect(response.status).toBe(200)
  return response.text()
}

function publish(app: TestApp, body: unknown): Promise<number> {
  return app
    .fetch('/publish', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    .then(async (response) => {
      await response.arrayBuffer()
      return response.status
    })
}

describe('metrics', () => {
  it('has a Prometheus series for every counter of the JSON snapshot', async () => {
    const app = await start()
    expect(await publish(app, { channel: 'a', data: 1 })).toBe(201)
    await expect(app.app.pushline.publish('bad channel!', 1)).rejects.toThrow()
    const text = await scrape(app)
    const snapshot = app.app.pushline.metrics()
    expect(snapshot.publishes).toBe(1)
    expect(snapshot.publishErrors).toBe(1)
    expect(sample(text, 'pushline_publishes_total')).toBe(1)
    expect(sample(text, 'pushline_publish_errors_total')).toBe(1)
    const series: Record<string, string> = {
      connections: 'pushline_connections',
      connectionsTotal: 'pushline_connections_total',
      eventsSent: 'pushline_events_sent_total',
      slowConsumerDrops: 'pushline_slow_consumer_drops_total',
      resets: 'pushline_resets_total',
      errors: 'pushline_errors_total',
      refused: 'pushline_refused_total',
    }
    for (const [transport, counters] of Object.entries(snapshot.transports)) {
      for (const [key, value] of Object.entries(counters)) {
        const name = series[key]
        expect(name, `a series for transports.${key}`).toBeDefined()
        expect(sample(text, name ?? '', { transport }), `${name}{transport="${transport}"}`).toBe(value)
      }
    }
    for (const [reason, value] of Object.entries(snapshot.fallbacks)) {
      expect(sample(text, 'pushline_fallbacks_total', { reason })).toBe(value)
    }
  })

  it('counts connections by transport while they are open', async () => {
    const app = await start()
    const ws = await openWs(app)
    const sse = await sseClient.subscribe(app, { channels: ['a'] })
    const open = await scrape(app)
    expect(sample(open, 'pushline_connections', { transport: 'websocket' })).toBe(1)
    expect(sample(open, 'pushline_connections', { transport: 'sse' })).toBe(1)
    expect(sample(open, 'pushline_connections', { transport: 'ndjson' })).toBe(0)
    ws.ws.close()
    await sse.close()
    await waitFor(() => app.app.pushline.metrics().transports.sse.connections === 0, 'the SSE stream closed')
    await waitFor(() => app.app.pushline.metrics().transports.websocket.connections === 0, 'the WebSocket closed')
    const closed = await scrape(app)
    expect(sample(closed, 'pushline_connections', { transport: 'websocket' })).toBe(0)
    expect(sample(closed, 'pushline_connections_total', { transport: 'websocket' })).toBe(1)
  })

  it('counts a refused WebSocket upgrade as a ws-upgrade-refused fallback', async () => {
    const app = await start()
    expect(sample(await scrape(app), 'pushline_fallbacks_total', { reason: 'ws-upgrade-refused' })).toBe(0)
    const plain = await app.fetch('/ws')
    await plain.arrayBuffer()
    expect(plain.status).toBe(426)
    expect(sample(await scrape(app), 'pushline_fallbacks_total', { reason: 'ws-upgrade-refused' })).toBe(1)
    expect(app.app.pushline.metrics().fallbacks['ws-upgrade-refused']).toBe(1)
    // An upgrade that succeeds is no fallback.
    const ws = await openWs(app)
    ws.ws.close()
    expect(app.app.pushline.metrics().fallbacks['ws-upgrade-refused']).toBe(1)
  })

  it('observes publish latency for HTTP and WebSocket publishes, by outcome', async () => {
    const app = await start()
    expect(await publish(app, { channel: 'a', data: 1 })).toBe(201)
    expect(await publish(app, { nope: true })).toBe(400)
    const ws = await openWs(app)
    await ws.waitFrame((frame) => frame.type === 'hello')
    ws.send({ type: 'publish', id: 'p1', channel: 'a', data: 2 })
    await ws.waitFrame((frame) => frame.type === 'ack' && frame.id === 'p1')
    ws.send({ type: 'publish', id: 'p2', channel: 'bad channel!', data: 2 })
    await ws.waitFrame((frame) => frame.type === 'error' && frame.id === 'p2')
    const text = await scrape(app)
    const count = (transport: string, outcome: string) =>
      sample(text, 'pushline_publish_duration_seconds_count', { transport, outcome })
    expect(count('http', 'ok')).toBe(1)
    expect(count('http', 'error')).toBe(1)
    expect(count('websocket', 'ok')).toBe(1)
    expect(count('websocket', 'error')).toBe(1)
    expect(sample(text, 'pushline_publish_duration_seconds_sum', { transport: 'http', outcome: 'ok' })).toBeGreaterThan(0)
    ws.ws.close()
  })

  it('observes the delivery lag once per event, not once per subscriber', async () => {
    const app = await start()
    const subscribers = await Promise.all([openWs(app), openWs(app), openWs(app)])
    for (const subscriber of subscribers) {
      await subscriber.waitFrame((frame) => frame.type === 'hello')
      subscriber.send({ type: 'subscribe', channels: ['lag'] })
      await subscriber.waitFrame((frame) => frame.type === 'subscribed')
    }
    expect(sample(await scrape(app), 'pushline_delivery_lag_seconds_count')).toBe(0)
    await app.app.pushline.publish('lag', { n: 1 })
    for (const subscriber of subscribers) await subscriber.waitFrame((frame) => frame.type === 'event')
    const text = await scrape(app)
    expect(sample(text, 'pushline_delivery_lag_seconds_count')).toBe(1)
    expect(sample(text, 'pushline_delivery_lag_seconds_bucket', { le: '+Inf' })).toBe(1)
    const lag = sample(text, 'pushline_delivery_lag_seconds_sum') ?? -1
    expect(lag).toBeGreaterThan(0)
    expect(lag).toBeLessThan(1)
    expect(app.app.pushline.metrics().transports.websocket.eventsSent).toBe(3)
    for (const subscriber of subscribers) subscriber.ws.close()
  })
})

describe('connection logs', () => {
  const opened = (app: LoggedApp, transport: string) =>
    app.lines.filter((line) => line.msg === 'pushline: connection open' && line.transport === transport)
  const closed = (app: LoggedApp, transport: string) =>
    app.lines.filter((line) => line.msg === 'pushline: connection closed' && line.transport === transport)

  it('logs open and close at debug with transport, client key, duration and reason', async () => {
    const app = await start({})
    const ws = await openWs(app)
    await ws.waitFrame((frame) => frame.type === 'hello')
    expect(opened(app, 'websocket')).toEqual([
      expect.objectContaining({ level: 20, transport: 'websocket', clientKey: '127.0.0.1' }),
    ])
    ws.ws.close()
    const [line] = await waitFor(() => closed(app, 'websocket').length > 0 && closed(app, 'websocket'), 'the close line')
    expect(line).toEqual(
      expect.objectContaining({ level: 20, transport: 'websocket', clientKey: '127.0.0.1', reason: 'client-closed' }),
    )
    expect(line?.durationMs).toEqual(expect.any(Number))

    // A stream the server ends says why: the code of its close frame.
    const sse = await sseClient.subscribe(app, { channels: ['a'] })
    expect(opened(app, 'sse')).toHaveLength(1)
    await app.close()
    expect(closed(app, 'sse')).toEqual([expect.objectContaining({ reason: 'RT_ERR_STREAM_SHUTDOWN', clientKey: '127.0.0.1' })])
    await sse.close()
  })

  it('logs held long-polls through the same lifecycle', async () => {
    const app = await start({ holdMs: 50 })
    const head = encodeURIComponent(await app.app.pushline.log.head())
    const poll = await app.fetch(`/poll?channel=a&cursor=${head}`)
    await poll.arrayBuffer()
    expect(poll.status).toBe(204)
    expect(opened(app, 'longpoll')).toHaveLength(1)
    expect(closed(app, 'longpoll')).toEqual([expect.objectContaining({ reason: 'ended', clientKey: '127.0.0.1' })])
  })

  it('logs nothing about connections above debug level', async () => {
    const app = await start({}, 'info')
    const ws = await openWs(app)
    await ws.waitFrame((frame) => frame.type === 'hello')
    ws.ws.close()
    await waitFor(() => app.app.pushline.metrics().transports.websocket.connections === 0, 'the WebSocket closed')
    expect(app.lines.filter((line) => line.msg.startsWith('pushline: connection'))).toEqual([])
  })
})
