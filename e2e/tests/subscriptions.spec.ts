import { sampleConnections, upstreamConnections } from '../fixtures/connections.js'
import type { NginxCase } from '../fixtures/nginx.js'
import {
  expectBadge,
  expectEveryEventOnEach,
  openDemo,
  record,
  sendChat,
  type TransportName,
  waitPositioned,
} from '../fixtures/page.js'
import { expect, test } from '../fixtures/test.js'

// Many subscriptions on one page: 20 watched channels, each its own `client.subscribe()`, plus the page's own
// (ticker, chat). Browsers allow six HTTP/1.1 connections per host, so a client that opens one per subscription
// starves; the client must carry them all over one connection, every subscription getting every event of its own
// channels, and the page must still be able to publish.
const SUBSCRIPTIONS = 20
const EACH = { count: 150, ratePerSec: 300 }

const channelsOf = (loadChannel: string): string[] => Array.from({ length: SUBSCRIPTIONS }, (_, i) => `${loadChannel}-${i}`)

const CASES = [
  { label: 'SSE forced through HTTP/1.1 nginx (good.conf)', config: 'good', transports: ['sse'], expected: 'sse', reason: 'negotiated' },
  { label: 'automatic choice through buffering.conf (long-poll)', config: 'buffering', transports: undefined, expected: 'longpoll', reason: 'stream-buffered' },
] as const

for (const c of CASES) {
  test(`${SUBSCRIPTIONS} subscriptions, ${c.label}: every one delivers, and the page still publishes`, async ({
    page,
    demo,
    startNginx,
    loadChannel,
  }, testInfo) => {
    const nginx = await startNginx(c.config)
    const channels = channelsOf(loadChannel)
    await openDemo(page, nginx.url, { watch: channels, ...(c.transports ? { transports: c.transports } : {}) })
    await waitPositioned(page, ['page', ...channels])
    // Publishing starts at once; the page's own publish (chat) goes out while the bursts run.
    const bursts = demo.burstEach(channels, EACH.count, EACH.ratePerSec)
    await expectBadge(page, c.expected, c.reason, 10_000)
    await sendChat(page, `hello over ${c.expected} with ${SUBSCRIPTIONS} subscriptions`)
    for (const status of await bursts) expect(status.published).toBe(EACH.count)
    await expectEveryEventOnEach(page, channels, EACH.count, testInfo)
    expect((await record(page)).error).toBeNull()
  })
}

// ~3 s of events on the 20 channels (four bursts at a time), long enough for a few dozen samples.
const FLOW = { count: 60, ratePerSec: 100 }

interface ConnectionCase {
  readonly label: string
  readonly config: NginxCase
  readonly transports?: readonly TransportName[]
  readonly expected: TransportName
  readonly reason: string
}
const CONNECTION_CASES: readonly ConnectionCase[] = [
  ...(['websocket', 'sse', 'ndjson', 'longpoll'] as const).map((t) => ({
    label: `forced ${t}`,
    config: 'good' as const,
    transports: [t],
    expected: t,
    reason: 'negotiated',
  })),
  // Automatic choice: once settled, the transports that lost the race are closed too.
  { label: 'automatic choice through good.conf', config: 'good', expected: 'websocket', reason: 'negotiated' },
  { label: 'automatic choice through no-upgrade.conf', config: 'no-upgrade', expected: 'sse', reason: 'ws-upgrade-refused' },
  { label: 'automatic choice through buffering.conf', config: 'buffering', expected: 'longpoll', reason: 'stream-buffered' },
]

for (const c of CONNECTION_CASES) {
  test(`${SUBSCRIPTIONS} subscriptions, ${c.label}: one connection to the server, plus the publish`, async ({
    page,
    demo,
    startNginx,
    loadChannel,
  }, testInfo) => {
    const nginx = await startNginx(c.config)
    const channels = channelsOf(loadChannel)
    await openDemo(page, nginx.url, { watch: channels, ...(c.transports ? { transports: c.transports } : {}) })
    await waitPositioned(page, ['page', ...channels])
    await expectBadge(page, c.expected, c.reason, 10_000)
    if (!c.transports) {
      await expect
        .poll(() => upstreamConnections(demo.port), { message: 'the transports that lost the race are closed', timeout: 10_000 })
        .toBeLessThanOrEqual(1)
    }

    // While events flow on every channel: never more than one connection from nginx to the server for this page
    // (for long-poll, one poll at a time). The page is the only client behind this nginx.
    const flowing = await sampleConnections(demo.port, demo.burstEach(channels, FLOW.count, FLOW.ratePerSec))
    // While the page publishes: that one, plus the publish request (none over WebSocket, where publish is a frame).
    const publishing = await sampleConnections(demo.port, sendChat(page, `counting connections over ${c.expected}`))
    testInfo.annotations.push(
      { type: 'connections while events flow', description: summary(flowing.samples) },
      { type: 'connections while publishing', description: summary(publishing.samples) },
    )
    const flow = `connections to the server while events flow (${summary(flowing.samples)})`
    expect(Math.max(...flowing.samples), flow).toBeLessThanOrEqual(1)
    if (c.expected !== 'longpoll') expect(Math.min(...flowing.samples), `the stream stays open: ${flow}`).toBe(1)
    expect(Math.max(...publishing.samples), `connections while publishing (${summary(publishing.samples)})`).toBeLessThanOrEqual(2)
    await expectEveryEventOnEach(page, channels, FLOW.count, testInfo)
    expect((await record(page)).transport, 'still on the transport it settled on').toBe(c.expected)
  })
}

function summary(samples: readonly number[]): string {
  const counts = new Map<number, number>()
  for (const n of samples) counts.set(n, (counts.get(n) ?? 0) + 1)
  return `${samples.length} samples: ${[...counts.entries()].sort(([a], [b]) => a - b).map(([n, k]) => `${k}x ${n}`).join(', ')}`
}
