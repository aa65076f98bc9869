import type { TransportName } from '@pushline/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createClient, type PushlineClient } from '../src/index.js'
import { collect, memoryStorage, range } from './fixtures/collect.js'
import { type FaultMode, type FaultProxy, startFaultProxy } from './fixtures/fault-proxy.js'
import { publishSteadily, startServer, type TestServer } from './fixtures/server.js'

// Thousands of events flow while the client negotiates through a broken proxy; the app must get all of them.
const TOTAL = 3000
const DELIVERY_TIMEOUT = 20_000

let server: TestServer | undefined
let proxy: FaultProxy | undefined
let client: PushlineClient | undefined

afterEach(async () => {
  client?.close()
  await proxy?.close()
  await server?.close()
  client = proxy = server = undefined
})

async function setup(mode: FaultMode, transports?: TransportName[], extra: { upgradeIntervalMs?: number } = {}) {
  server = await startServer()
  proxy = await startFaultProxy(server.port, mode)
  const storage = memoryStorage()
  client = createClient({
    url: `http://127.0.0.1:${proxy.port}/rt`,
    storage,
    probeTimeoutMs: 1000,
    upgradeIntervalMs: extra.upgradeIntervalMs ?? 600_000,
    backoff: { baseMs: 50, capMs: 1000 },
    ...(transports ? { transports } : {}),
  })
  const record = collect(client)
  // start from a known position so that "all events" is well defined even before the first hello arrives
  const start = await server.app.pushline.log.head()
  const sub = client.subscribe(['feed'], { cursor: start, onEvent: record.onEvent })
  return { server, proxy, client, record, sub, storage }
}

async function deliverAll(record: { seen: number[] }, publishing: Promise<void>) {
  await publishing
  await vi.waitFor(() => expect(record.seen.length).toBeGreaterThanOrEqual(TOTAL), { timeout: DELIVERY_TIMEOUT, interval: 50 })
  // nothing after the last one either
  await new Promise((resolve) => setTimeout(resolve, 200))
  expect(record.seen).toEqual(range(TOTAL))
}

describe('behind a proxy that refuses the WebSocket upgrade', () => {
  describe.each([
    ['answers 400', 'refuse'],
    ['strips the Upgrade header', 'strip'],
  ] as const)('%s', (_label, upgrade) => {
    it('lands on sse with reason ws-upgrade-refused and delivers every event once, in order', async () => {
      const { server, client, record } = await setup({ upgrade })
      await deliverAll(record, publishSteadily(server.app, 'feed', TOTAL))
      expect(client.transport).toBe('sse')
      // raced: SSE delivers while the WebSocket fails; the client names the transport it settles on, and why
      expect(record.changes).toEqual([{ name: 'sse', previous: null, reason: 'ws-upgrade-refused' }])
    })
  })
})

describe('a WebSocket refused before any other transport delivers', () => {
  it('names ws-upgrade-refused when SSE goes live while the failure is still being judged against /negotiate', async () => {
    // The CI run of 2026-12-04 saw this through nginx: the refusal came first, so the client asked /negotiate whether
    // the server was down, and SSE's hello arrived before the answer. The client settled on SSE calling it
    // "remembered", a failure it had never seen. Here the order is made certain: the HTTP transports start 300 ms
    // late and every /negotiate after the first answers 1.5 s late (the real server, through the real proxy).
    server = await startServer()
    proxy = await startFaultProxy(server.port, { upgrade: 'refuse' })
    let negotiations = 0
    const slow: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input)
      const first = url.endsWith('/negotiate') && negotiations++ === 0
      if (!first) await new Promise((resolve) => setTimeout(resolve, url.endsWith('/negotiate') ? 1500 : 300))
      return fetch(input, init)
    }
    client = createClient({ url: `http://127.0.0.1:${proxy.port}/rt`, storage: memoryStorage(), fetch: slow, upgradeIntervalMs: 600_000 })
    const record = collect(client)
    client.subscribe(['feed'], { onEvent: record.onEvent })
    await vi.waitFor(() => expect(client?.transport).toBe('sse'), { timeout: 10_000, interval: 20 })
    expect(negotiations).toBe(2)
    expect(record.changes).toEqual([{ name: 'sse', previous: null, reason: 'ws-upgrade-refused' }])
  })
})

describe('behind a proxy that accepts the upgrade and then forwards nothing', () => {
  it('lands on sse with reason ws-silent and delivers every event once, in order', async () => {
    const { server, client, record } = await setup({ upgrade: 'blackhole' })
    await deliverAll(record, publishSteadily(server.app, 'feed', TOTAL))
    expect(client.transport).toBe('sse')
    expect(record.changes).toEqual([{ name: 'sse', previous: null, reason: 'ws-silent' }])
  })
})

describe('behind a proxy that buffers streaming responses', () => {
  describe.each(['sse', 'ndjson'] as const)('%s', (stream) => {
    it('lands on longpoll with reason stream-buffered and delivers every event once, in order', async () => {
      const { server, client, record } = await setup({ buffer: true }, [stream, 'longpoll'])
      await deliverAll(record, publishSteadily(server.app, 'feed', TOTAL))
      expect(client.transport).toBe('longpoll')
      expect(record.changes).toEqual([{ name: 'longpoll', previous: null, reason: 'stream-buffered' }])
    })
  })

  it('that also breaks WebSocket: races the whole ladder at once and settles on longpoll, remembering every failure', async () => {
    const { server, client, record, storage } = await setup({ buffer: true, upgrade: 'refuse' })
    await deliverAll(record, publishSteadily(server.app, 'feed', TOTAL))
    expect(client.transport).toBe('longpoll')
    expect(record.changes.map(({ name, reason }) => [name, reason])).toEqual([['longpoll', 'stream-buffered']])
    const remembered = JSON.parse([...storage.data.values()][0] ?? '{}') as Record<string, { reason: string }>
    expect(Object.fromEntries(Object.entries(remembered).map(([name, failure]) => [name, failure.reason]))).toEqual({
      websocket: 'ws-upgrade-refused',
      sse: 'stream-buffered',
      ndjson: 'stream-buffered',
    })
  })
})

describe('behind a proxy that cuts connections at random', () => {
  describe.each(['websocket', 'sse', 'ndjson', 'longpoll'] as const)('%s', (transport) => {
    it('reconnects on the same transport from its cursor: every event once, in order', async () => {
      const { server, proxy, client, record } = await setup({ cutAfterMs: [150, 600] }, [transport])
      await deliverAll(record, publishSteadily(server.app, 'feed', TOTAL))
      expect(client.transport).toBe(transport)
      expect(proxy.stats.cut).toBeGreaterThan(2)
    })
  })
})

describe('climbing back', () => {
  it('re-tests WebSocket in the background and moves back up on the same cursor once the proxy is fixed', async () => {
    const { server, proxy, client, record } = await setup({ upgrade: 'blackhole' }, undefined, { upgradeIntervalMs: 800 })
    const publishing = publishSteadily(server.app, 'feed', TOTAL, 10, 20)
    await vi.waitFor(() => expect(client.transport).toBe('sse'), { timeout: 10_000, interval: 20 })
    proxy.setMode({})
    await vi.waitFor(() => expect(client.transport).toBe('websocket'), { timeout: 15_000, interval: 20 })
    await deliverAll(record, publishing)
    expect(record.changes.map(({ name, reason }) => [name, reason])).toEqual([
      ['sse', 'ws-silent'],
      ['websocket', 'upgrade'],
    ])
  })

  it('remembers the failure for the origin: the next client starts on what works', async () => {
    const { server, proxy, client, record, storage } = await setup({ upgrade: 'refuse' })
    await vi.waitFor(() => expect(client.transport).toBe('sse'), { timeout: 10_000, interval: 20 })
    expect(record.changes.at(-1)?.reason).toBe('ws-upgrade-refused')
    const refusedBefore = proxy.stats.refused
    const next = createClient({ url: `http://127.0.0.1:${proxy.port}/rt`, storage, upgradeIntervalMs: 600_000 })
    try {
      const changes: unknown[] = []
      next.on('transport', (change) => changes.push(change))
      const got: unknown[] = []
      next.subscribe(['feed'], { onEvent: (event) => got.push(event.data) })
      await vi.waitFor(() => expect(next.state).toBe('connected'), { timeout: 10_000, interval: 20 })
      await server.app.pushline.publish('feed', { n: 1 })
      await vi.waitFor(() => expect(got).toEqual([{ n: 1 }]), { timeout: 5000, interval: 20 })
      expect(changes).toEqual([{ name: 'sse', previous: null, reason: 'remembered' }])
      expect(proxy.stats.refused).toBe(refusedBefore)
    } finally {
      next.close()
    }
  })
})

describe('behind a proxy with a short idle timeout', () => {
  it('calls repeated idle cuts idle-cut, lands on longpoll with a hold below the proxy timeout, and loses nothing', async () => {
    server = await startServer({ heartbeatMs: 3000, holdMs: 2500 })
    proxy = await startFaultProxy(server.port, { idleCutMs: 1200 })
    client = createClient({
      url: `http://127.0.0.1:${proxy.port}/rt`,
      storage: memoryStorage(),
      transports: ['sse', 'longpoll'],
      probeTimeoutMs: 1000,
      upgradeIntervalMs: 600_000,
      backoff: { baseMs: 50, capMs: 500 },
    })
    const record = collect(client)
    const start = await server.app.pushline.log.head()
    client.subscribe(['feed'], { cursor: start, onEvent: record.onEvent })
    await vi.waitFor(() => expect(client!.transport).toBe('longpoll'), { timeout: 15_000, interval: 50 })
    expect(record.changes.at(-1)).toEqual({ name: 'longpoll', previous: 'sse', reason: 'idle-cut' })
    // the first held poll is cut too and teaches the client a shorter hold; after that, quiet polls survive
    await new Promise((resolve) => setTimeout(resolve, 2500))
    const states: string[] = []
    client.on('state', ({ state }) => states.push(state))
    await new Promise((resolve) => setTimeout(resolve, 4000))
    expect(states).toEqual([])
    await publishSteadily(server.app, 'feed', 500, 20, 20)
    await vi.waitFor(() => expect(record.seen).toHaveLength(500), { timeout: DELIVERY_TIMEOUT, interval: 50 })
    expect(record.seen).toEqual(range(500))
  })
})

describe('behind a proxy that holds the tail of every write until the next one (gzip without no-transform)', () => {
  it.each([
    ['quiet while the client probes', false],
    ['busy while the client probes (traffic proves the stream at first)', true],
  ])('%s: finds the stream delayed by its timed heartbeats, lands on longpoll, loses nothing', async (_label, busy) => {
    server = await startServer({ heartbeatMs: 400 })
    proxy = await startFaultProxy(server.port, { tailHoldBytes: 24, upgrade: 'refuse' })
    client = createClient({
      url: `http://127.0.0.1:${proxy.port}/rt`,
      storage: memoryStorage(),
      probeTimeoutMs: 1000,
      upgradeIntervalMs: 600_000,
      backoff: { baseMs: 50, capMs: 500 },
    })
    const record = collect(client)
    const sub = client.subscribe(['feed'], { onEvent: record.onEvent })
    await sub.ready
    const publishing = publishSteadily(server.app, 'feed', busy ? 1500 : 300, busy ? 20 : 5, busy ? 20 : 50)
    await vi.waitFor(() => expect(client?.transport).toBe('longpoll'), { timeout: 15_000, interval: 20 })
    expect(record.changes.at(-1)?.reason).toBe('stream-delayed')
    await publishing
    const total = busy ? 1500 : 300
    await vi.waitFor(() => expect(record.seen.length).toBeGreaterThanOrEqual(total), { timeout: DELIVERY_TIMEOUT, interval: 50 })
    expect(record.seen).toEqual(range(total))
  })
})
