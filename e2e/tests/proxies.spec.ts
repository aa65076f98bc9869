import { expectBadge, openDemo, publishAndExpectAll, record } from '../fixtures/page.js'
import { expect, test } from '../fixtures/test.js'

// Cases 1-3: the same page through three proxies; the client must find the best transport that works through each,
// name why in the badge, and deliver every event published server-side, in order, exactly once.
const LOAD = { count: 2000, ratePerSec: 200 }

test('1. a correct proxy: the client lands on WebSocket', async ({ page, demo, startNginx, loadChannel }, testInfo) => {
  const nginx = await startNginx('good')
  const cursor = await demo.head(loadChannel)
  await openDemo(page, nginx.url, { watch: [loadChannel], cursor })
  await expectBadge(page, 'websocket', 'negotiated')
  await publishAndExpectAll(page, demo, loadChannel, testInfo, LOAD)
  await expectBadge(page, 'websocket', 'negotiated')
  expect((await record(page)).switches.map((s) => s.name)).toEqual(['websocket'])
})

test('2. Upgrade/Connection not passed: WebSocket fails, the client lands on SSE', async ({ page, demo, startNginx, loadChannel }, testInfo) => {
  const nginx = await startNginx('no-upgrade')
  const cursor = await demo.head(loadChannel)
  await openDemo(page, nginx.url, { watch: [loadChannel], cursor })
  await expectBadge(page, 'sse', 'ws-upgrade-refused')
  await publishAndExpectAll(page, demo, loadChannel, testInfo, LOAD)
  await expectBadge(page, 'sse', 'ws-upgrade-refused')
})

test('3. a buffering, gzipping proxy that ignores X-Accel-Buffering: the client detects it and lands on long-poll', async ({
  page,
  demo,
  startNginx,
  loadChannel,
}, testInfo) => {
  const nginx = await startNginx('buffering')
  const cursor = await demo.head(loadChannel)
  await openDemo(page, nginx.url, { watch: [loadChannel], cursor })
  // WebSocket is refused first; SSE and NDJSON then open but their hello never comes through the buffer.
  await expectBadge(page, 'longpoll', 'stream-buffered', 60_000)
  await publishAndExpectAll(page, demo, loadChannel, testInfo, LOAD)
  await expectBadge(page, 'longpoll', 'stream-buffered')
})
