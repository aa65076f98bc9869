import type { TransportName } from '@pushline/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createClient, type PushlineClient, type PushlineError, type ResetInfo } from '../src/index.js'
import { memoryStorage, range } from './fixtures/collect.js'
import { startServer, type TestServer } from './fixtures/server.js'

// One connection per client, whatever the number of subscriptions: what keeps a browser's six connections per host
// from starving. Each subscription still sees only its channels, each event once, in order.
const TRANSPORTS: TransportName[] = ['websocket', 'sse', 'ndjson', 'longpoll']

let server: TestServer | undefined
const clients: PushlineClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  await server?.close()
  server = undefined
})

function open(port: number, transports?: TransportName[]) {
  const client = createClient({ url: `http://127.0.0.1:${port}/rt`, storage: memoryStorage(), ...(transports ? { transports } : {}) })
  clients.push(client)
  return client
}

/** Streams, sockets and held polls open on the server now, all transports together. */
function serverConnections(test: TestServer): number {
  return Object.values(test.app.pushline.metrics().transports).reduce((sum, counters) => sum + counters.connections, 0)
}

function transportRequests(test: TestServer): string[] {
  return test.requests.filter((request) => /^GET \/rt\/(ws|sse|stream|poll)$/.test(request))
}

describe.each(TRANSPORTS)('over %s', (transport) => {
  it('carries 20 subscriptions on ONE connection; each gets exactly its own events, once, in order', async () => {
    server = await startServer()
    const client = open(server.port, [transport])
    const got: number[][] = range(20).map(() => [])
    const subs = range(20).map((i) => client.subscribe([`room/${i}`], { onEvent: (event) => got[i]?.push((event.data as { n: number }).n) }))
    await Promise.all(subs.map((sub) => sub.ready))
    await vi.waitFor(() => expect(client.state).toBe('connected'), { timeout: 5000, interval: 10 })
    for (let n = 0; n < 10; n++) for (let i = 0; i < 20; i++) await server.app.pushline.publish(`room/${i}`, { n })
    // a publish from the client too, next to the 20 subscriptions
    await client.publish('room/0', { n: 10 })
    await vi.waitFor(() => expect(got.map((list) => list.length)).toEqual(range(20).map((i) => (i ? 10 : 11))), { timeout: 10_000, interval: 20 })
    for (const [i, list] of got.entries()) expect(list).toEqual(range(i ? 10 : 11))
    expect(serverConnections(server)).toBeLessThanOrEqual(1)
    // made in the same tick, the 20 subscriptions opened one stream (long-poll: one poll at a time)
    if (transport !== 'longpoll') expect(transportRequests(server)).toHaveLength(1)
    else {
      // every poll asks for the runs answer the server offers (its runs' channel indexes span the 20 channels)
      const formats = server.urls.filter((url) => url.startsWith('/rt/poll?')).map((url) => new URL(url, 'http://x').searchParams.get('format'))
      expect(formats.length).toBeGreaterThan(1)
      expect(new Set(formats)).toEqual(new Set(['runs']))
    }
  })

  it('adds and removes subscriptions on the same client: the union follows, nothing lost or repeated', async () => {
    server = await startServer()
    const client = open(server.port, [transport])
    const a: number[] = []
    const b: number[] = []
    const first = client.subscribe(['a'], { onEvent: (event) => a.push((event.data as { n: number }).n) })
    await first.ready
    await vi.waitFor(() => expect(client.state).toBe('connected'), { timeout: 5000, interval: 10 })
    await server.app.pushline.publish('a', { n: 0 })
    const second = client.subscribe(['b'], { onEvent: (event) => b.push((event.data as { n: number }).n) })
    await second.ready
    // published right after ready: must arrive although the connection is being updated for `b`
    await server.app.pushline.publish('b', { n: 0 })
    await server.app.pushline.publish('a', { n: 1 })
    await vi.waitFor(() => expect([a, b]).toEqual([[0, 1], [0]]), { timeout: 5000, interval: 10 })
    first.unsubscribe()
    await server.app.pushline.publish('a', { n: 2 })
    await server.app.pushline.publish('b', { n: 1 })
    await vi.waitFor(() => expect(b).toEqual([0, 1]), { timeout: 5000, interval: 10 })
    expect(a).toEqual([0, 1])
    await vi.waitFor(() => expect(serverConnections(server!)).toBeLessThanOrEqual(1), { timeout: 5000, interval: 10 })
    // the WebSocket updates its subscription in place
    if (transport === 'websocket') expect(transportRequests(server)).toHaveLength(1)
  })

  it('tells only the subscription whose own position is gone about a reset', async () => {
    server = await startServer()
    const client = open(server.port, [transport])
    const resets: [string, ResetInfo][] = []
    const got: [string, unknown][] = []
    const old = client.subscribe(['a'], {
      cursor: 'oldepoch-42',
      onEvent: (event) => got.push(['old', event.data]),
      onReset: (reset) => resets.push(['old', reset]),
    })
    const fresh = client.subscribe(['b'], { onEvent: (event) => got.push(['fresh', event.data]), onReset: (reset) => resets.push(['fresh', reset]) })
    await Promise.all([old.ready, fresh.ready])
    await vi.waitFor(() => expect(resets).toHaveLength(1), { timeout: 5000, interval: 10 })
    expect(resets[0]).toMatchObject(['old', { reason: 'epoch' }])
    await server.app.pushline.publish('a', 1)
    await server.app.pushline.publish('b', 2)
    await vi.waitFor(() => expect(got).toEqual([['old', 1], ['fresh', 2]]), { timeout: 5000, interval: 10 })
    expect(resets).toHaveLength(1)
  })
})

describe('limits', () => {
  it("refuses the subscription that would take the connection past the server's maxChannels, and serves the rest", async () => {
    server = await startServer({ maxChannels: 3 })
    const client = open(server.port, ['sse'])
    const errors: PushlineError[] = []
    const got: string[] = []
    const onEvent = (event: { channel: string }) => got.push(event.channel)
    client.subscribe(['a', 'b'], { onEvent })
    client.subscribe(['b', 'c'], { onEvent })
    client.subscribe(['d'], { onEvent, onError: (error) => errors.push(error) })
    await vi.waitFor(() => expect(errors.map((error) => error.code)).toEqual(['RT_ERR_CLIENT_CHANNEL_LIMIT']), { timeout: 5000, interval: 10 })
    await vi.waitFor(() => expect(client.state).toBe('connected'), { timeout: 5000, interval: 10 })
    for (const channel of ['a', 'c', 'd']) await server.app.pushline.publish(channel, 1)
    await vi.waitFor(() => expect(got).toEqual(['a', 'c']), { timeout: 5000, interval: 10 })
  })
})
