import http from 'node:http'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocketServer } from 'ws'
import { ClientErrorCode, createClient, type PushlineClient, PushlineError, type TransportName } from '../src/index.js'
import { memoryStorage } from './fixtures/collect.js'
import { type FaultProxy, startFaultProxy } from './fixtures/fault-proxy.js'
import { startServer, type TestServer } from './fixtures/server.js'

// Nothing escapes: no unhandled 'error' event or rejection, close() leaves no socket, handshake or timer, and bad
// options, bad data and bad frames are coded errors. (An unhandled error anywhere fails the vitest run itself.)
let server: TestServer | undefined
let proxy: FaultProxy | undefined
const clients: PushlineClient[] = []
const stops: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  for (const stop of stops.splice(0)) await stop()
  await proxy?.close()
  await server?.close()
  proxy = server = undefined
})

function open(url: string, extra: { transports?: TransportName[]; probeTimeoutMs?: number } = {}) {
  const client = createClient({ url, storage: memoryStorage(), upgradeIntervalMs: 600_000, backoff: { baseMs: 50, capMs: 200 }, ...extra })
  clients.push(client)
  return client
}

const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length

describe('WebSocket handshakes a proxy holds', () => {
  it('survives a handshake held past the probe and then dropped: no unhandled error, the client lands on SSE', async () => {
    server = await startServer()
    proxy = await startFaultProxy(server.port, { upgrade: 'hold', holdUpgradeMs: 800 })
    const client = open(`http://127.0.0.1:${proxy.port}/rt`, { probeTimeoutMs: 300 })
    const got: unknown[] = []
    await client.subscribe(['feed'], { onEvent: (event) => got.push(event.data) }).ready
    await vi.waitFor(() => expect(client.transport).toBe('sse'), { timeout: 5000, interval: 10 })
    // the held handshake is dropped by the proxy after the client gave up on it
    await new Promise((resolve) => setTimeout(resolve, 900))
    await server.app.pushline.publish('feed', 1)
    await vi.waitFor(() => expect(got).toEqual([1]), { timeout: 5000, interval: 10 })
  })

  it('close() ends a handshake still in progress, every stream and every timer', async () => {
    server = await startServer()
    proxy = await startFaultProxy(server.port, { upgrade: 'hold', holdUpgradeMs: 60_000 })
    const before = timers()
    const client = open(`http://127.0.0.1:${proxy.port}/rt`, { probeTimeoutMs: 30_000 })
    client.subscribe(['feed'], { onEvent() {} })
    // the race is under way: a held WebSocket handshake, streams and a poll through the proxy
    await vi.waitFor(() => expect(proxy?.stats.refused).toBe(1), { timeout: 5000, interval: 10 })
    await vi.waitFor(() => expect(client.state).toBe('connected'), { timeout: 5000, interval: 10 })
    expect(proxy.openUpgrades()).toBe(1)
    client.close()
    await vi.waitFor(() => expect(proxy?.openUpgrades()).toBe(0), { timeout: 1000, interval: 10 })
    await vi.waitFor(
      () => expect(Object.values(server?.app.pushline.metrics().transports ?? {}).map((counters) => counters.connections)).toEqual([0, 0, 0, 0]),
      { timeout: 5000, interval: 10 },
    )
    // no connection that carried a stream, a poll or a handshake is left (fetch's own pool may keep idle sockets)
    await vi.waitFor(() => expect(proxy?.openLines().filter((line) => /\/rt\/(ws|sse|stream|poll)/.test(line))).toEqual([]), {
      timeout: 2000,
      interval: 10,
    })
    await vi.waitFor(() => expect(timers()).toBeLessThanOrEqual(before), { timeout: 2000, interval: 10 })
  })
})

describe('coded errors, never a throw from a callback', () => {
  it('reports a server with no transport in common, to the app and to each subscription', async () => {
    server = await startServer({ transports: ['sse', 'longpoll'] })
    const client = open(`http://127.0.0.1:${server.port}/rt`, { transports: ['websocket'] })
    const reported: string[] = []
    const refused: string[] = []
    client.on('error', (error) => reported.push(error.code))
    client.subscribe(['a'], { onEvent() {}, onError: (error) => refused.push(error.code) })
    await vi.waitFor(() => expect(refused).toEqual([ClientErrorCode.NoTransport]), { timeout: 5000, interval: 10 })
    expect(reported).toContain(ClientErrorCode.NoTransport)
    // publishing still works over HTTP
    await expect(client.publish('a', 1)).resolves.toMatchObject({ cursor: expect.any(String) })
  })

  it('reports an unreachable server and keeps trying, until close() stops it all', async () => {
    const before = timers()
    const client = open('http://127.0.0.1:1/rt')
    const reported: string[] = []
    client.on('error', (error) => reported.push(error.code))
    client.subscribe(['a'], { onEvent() {} })
    await vi.waitFor(() => expect(reported.filter((code) => code === ClientErrorCode.Network).length).toBeGreaterThanOrEqual(2), {
      timeout: 5000,
      interval: 10,
    })
    client.close()
    await vi.waitFor(() => expect(timers()).toBeLessThanOrEqual(before), { timeout: 5000, interval: 10 })
  })

  it('refuses bad options with RT_ERR_CLIENT_OPTIONS: a relative URL outside a browser, an unknown transport', () => {
    expect(() => createClient({ url: '/rt' })).toThrow(expect.objectContaining({ code: ClientErrorCode.Options }))
    // @ts-expect-error: not a transport
    expect(() => createClient({ url: 'http://x/rt', transports: ['carrier-pigeon'] })).toThrow(PushlineError)
    const client = open('http://127.0.0.1:1/rt')
    // @ts-expect-error: no onEvent
    expect(() => client.subscribe(['a'], {})).toThrow(expect.objectContaining({ code: ClientErrorCode.Options }))
  })

  it.each(['websocket', 'sse'] as const)('refuses data JSON cannot carry faithfully before sending it, and the %s subscription goes on', async (transport) => {
    server = await startServer()
    const client = open(`http://127.0.0.1:${server.port}/rt`, { transports: [transport] })
    const got: unknown[] = []
    await client.subscribe(['room/1'], { onEvent: (event) => got.push(event.data) }).ready
    await vi.waitFor(() => expect(client.state).toBe('connected'), { timeout: 5000, interval: 10 })
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const bad of [undefined, 10n, Number.NaN, new Uint8Array([1]), new Date(0), cyclic, () => 1, { a: undefined }, [Symbol('s')]]) {
      await expect(client.publish('room/1', bad)).rejects.toMatchObject({ code: ClientErrorCode.DataInvalid, statusCode: 400 })
    }
    await client.publish('room/1', { ok: true, nested: [1, 'two', null, { deep: false }] })
    await vi.waitFor(() => expect(got).toHaveLength(1), { timeout: 5000, interval: 10 })
    expect(got).toEqual([{ ok: true, nested: [1, 'two', null, { deep: false }] }])
    expect(client.state).toBe('connected')
    if (transport === 'websocket') expect(server.requests.filter((request) => request === 'POST /rt/publish')).toEqual([])
  })
})

/** A server that speaks protocol 1 in its negotiate answer and then sends `bad` on `transport`. */
async function malformedServer(transport: TransportName, bad: string): Promise<{ url: string; hits: () => number }> {
  let hits = 0
  const app = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path === '/rt/negotiate') {
      res.setHeader('content-type', 'application/json')
      return res.end(
        JSON.stringify({
          protocol: 1,
          transports: [transport],
          endpoints: { websocket: '/rt/ws', sse: '/rt/sse', ndjson: '/rt/stream', longpoll: '/rt/poll', publish: '/rt/publish' },
          holdMs: 1000,
          heartbeatMs: 1000,
          cursor: 'e-1',
        }),
      )
    }
    hits++
    if (path === '/rt/poll') {
      res.setHeader('content-type', 'application/json')
      return res.end(bad)
    }
    res.writeHead(200, { 'content-type': transport === 'sse' ? 'text/event-stream' : 'application/x-ndjson' })
    res.write(bad)
  })
  const wss = new WebSocketServer({ server: app })
  wss.on('connection', (ws) => {
    hits++
    ws.send(bad)
  })
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
  const address = app.address()
  const port = typeof address === 'object' && address ? address.port : 0
  stops.push(async () => {
    for (const ws of wss.clients) ws.terminate()
    app.closeAllConnections()
    await new Promise((resolve) => app.close(resolve))
  })
  return { url: `http://127.0.0.1:${port}/rt`, hits: () => hits }
}

describe('malformed frames', () => {
  it.each([
    ['websocket', 'not json'],
    ['websocket', '{"type":"event","channel":"a","data":1}'],
    ['sse', 'event: hello\ndata: {"type":"hello","cursor":"e-1","protocol":1,"heartbeatMs":1000}\n\ndata: {"channel":"a","cursor":7,"data":1}\n\n'],
    ['ndjson', '{"type":"hello","cursor":"e-1","protocol":1,"heartbeatMs":1000}\n{"type":"reset","reason":"whatever","cursor":"e-2"}\n'],
    ['longpoll', '{"events":"none","cursor":"e-2"}'],
  ] as const)('%s: %s is a coded protocol error and a reconnect, not a crash or a wrong cursor', async (transport, bad) => {
    const fake = await malformedServer(transport, bad)
    const client = open(fake.url, { transports: [transport] })
    const reported: PushlineError[] = []
    const got: unknown[] = []
    client.on('error', (error) => reported.push(error))
    const sub = client.subscribe(['a'], { onEvent: (event) => got.push(event), onReset: (reset) => got.push(reset) })
    expect(await sub.ready).toEqual({ cursor: 'e-1' })
    await vi.waitFor(() => expect(reported.filter((error) => error.code === ClientErrorCode.Protocol).length).toBeGreaterThanOrEqual(2), {
      timeout: 5000,
      interval: 10,
    })
    expect(fake.hits()).toBeGreaterThanOrEqual(2)
    expect(got).toEqual([])
    expect(sub.cursor).toBe('e-1')
  })
})
