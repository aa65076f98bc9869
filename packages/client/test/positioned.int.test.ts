import { afterEach, describe, expect, it, vi } from 'vitest'
import { createClient, type PushlineClient, type TransportName } from '../src/index.js'
import { collect, memoryStorage, range } from './fixtures/collect.js'
import { type FaultMode, type FaultProxy, startFaultProxy } from './fixtures/fault-proxy.js'
import { publishSteadily, startServer, type TestServer } from './fixtures/server.js'

// What a user does: subscribe with no cursor, publish as soon as the subscription says it is positioned, and expect
// every event — behind every broken proxy, while the client is still choosing its transport.
const TOTAL = 600

let server: TestServer | undefined
let proxy: FaultProxy | undefined
let client: PushlineClient | undefined

afterEach(async () => {
  client?.close()
  await proxy?.close()
  await server?.close()
  client = proxy = server = undefined
})

const CASES: [string, FaultMode, TransportName, string][] = [
  ['a correct proxy', {}, 'websocket', 'negotiated'],
  ['a proxy that strips Upgrade', { upgrade: 'strip' }, 'sse', 'ws-upgrade-refused'],
  ['a buffering proxy that also refuses WebSocket', { buffer: true, upgrade: 'refuse' }, 'longpoll', 'stream-buffered'],
  ['a proxy that holds WebSocket handshakes, then drops them', { upgrade: 'hold', holdUpgradeMs: 1500 }, 'sse', 'ws-upgrade-refused'],
]

describe.each(CASES)('behind %s', (_label, mode, settles, reason) => {
  it(`positions a cursorless subscription before any transport is chosen, delivers every event published after, settles on ${settles}`, async () => {
    server = await startServer()
    proxy = await startFaultProxy(server.port, mode)
    client = createClient({ url: `http://127.0.0.1:${proxy.port}/rt`, storage: memoryStorage(), probeTimeoutMs: 1000, upgradeIntervalMs: 600_000 })
    const record = collect(client)
    // published before subscribe(): must not be delivered
    await server.app.pushline.publish('feed', { n: -1 })
    const sub = client.subscribe(['feed'], { onEvent: record.onEvent })
    const { cursor } = await sub.ready
    const transportAtReady = client.transport
    expect(cursor).toBe(await server.app.pushline.log.head())
    await publishSteadily(server.app, 'feed', TOTAL, 20, 10)
    await vi.waitFor(() => expect(record.seen.length).toBeGreaterThanOrEqual(TOTAL), { timeout: 20_000, interval: 20 })
    await vi.waitFor(() => expect(client?.transport).toBe(settles), { timeout: 10_000, interval: 20 })
    expect(record.seen).toEqual(range(TOTAL))
    // the position did not wait for the transport choice
    expect(transportAtReady).toBeNull()
    expect(record.changes).toEqual([{ name: settles, previous: null, reason }])
  })
})
