import { expectBadge, expectEveryEvent, openDemo, record, waitPositioned } from '../fixtures/page.js'
import { expect, test } from '../fixtures/test.js'

// Case 4: nginx cuts connections idle for 3 s (proxy_read_timeout 3s), far below the default 15 s heartbeat and
// 25 s long-poll hold. The demo runs without its ticker so that the subscription really goes idle between bursts.
// The connection must survive or be re-established, and every event of every burst must arrive once, in order.
test.use({ demoOptions: { tickerMs: 0 } })

const PHASES = 3
const PHASE = { count: 400, ratePerSec: 200 }
const IDLE_MS = 5_000

for (const transport of [undefined, 'websocket', 'sse', 'ndjson', 'longpoll'] as const) {
  const label = transport ? `forced ${transport}` : 'automatic order'
  test(`4. a 3 s proxy idle timeout (${label}): bursts separated by idle gaps all arrive`, async ({
    page,
    demo,
    startNginx,
    loadChannel,
  }, testInfo) => {
    const nginx = await startNginx('short-timeout')
    const channels = Array.from({ length: PHASES }, (_, i) => `${loadChannel}-${i}`)
    // No cursor: each channel's subscription starts "from now"; the bursts come after it is positioned.
    await openDemo(page, nginx.url, { watch: channels, ...(transport ? { transports: [transport] } : {}) })
    await waitPositioned(page, channels)
    await expect(page.locator('#badge')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 })

    for (const channel of channels) {
      await page.waitForTimeout(IDLE_MS)
      const burst = await demo.startBurst(channel, PHASE.count, PHASE.ratePerSec)
      await demo.burstDone(burst.id, 30_000)
      await expectEveryEvent(page, channel, PHASE.count, testInfo)
    }

    // The case did what it is for: nginx cut idle connections ("upstream timed out" in its error log).
    expect(nginx.process.log).toContain('upstream timed out')
    const final = await record(page)
    await testInfo.attach('switches.json', { body: JSON.stringify(final.switches, null, 2), contentType: 'application/json' })
    if (transport) await expectBadge(page, transport)
    else if (final.transport !== 'websocket') {
      // Moving down is allowed only when the client says why: the proxy cut idle connections.
      expect(final.reason).toBe('idle-cut')
    }
  })
}

test.describe('with the heartbeat tuned below the proxy timeout', () => {
  test.use({ demoOptions: { tickerMs: 0, heartbeatMs: 1_000 } })

  test('4. a 3 s proxy idle timeout with 1 s heartbeats: the WebSocket survives the idle gaps', async ({
    page,
    demo,
    startNginx,
    loadChannel,
  }, testInfo) => {
    const nginx = await startNginx('short-timeout')
    const channels = [`${loadChannel}-a`, `${loadChannel}-b`]
    await openDemo(page, nginx.url, { watch: channels })
    await waitPositioned(page, channels)
    await expectBadge(page, 'websocket', 'negotiated', 10_000)
    for (const channel of channels) {
      await page.waitForTimeout(IDLE_MS)
      const burst = await demo.startBurst(channel, PHASE.count, PHASE.ratePerSec)
      await demo.burstDone(burst.id, 30_000)
      await expectEveryEvent(page, channel, PHASE.count, testInfo)
    }
    // Heartbeats kept the connection alive: nginx never timed it out and the client never left WebSocket.
    expect(nginx.process.log).not.toContain('upstream timed out')
    expect((await record(page)).switches.map((s) => `${s.name}:${s.reason}`)).toEqual(['websocket:negotiated'])
  })
})
