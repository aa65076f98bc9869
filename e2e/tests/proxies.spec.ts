import { expectBadge, openDemo, publishOnReady, record } from '../fixtures/page.js'
import { expect, test } from '../fixtures/test.js'

// Cases 1-3: the same page through three proxies, used the way an application uses the client: subscribe with no
// cursor ("from now"), publish as soon as the subscription says it is positioned, while the client may still be
// choosing its transport. Every event must arrive, in order, exactly once, and the client must settle on the best
// transport that works through each proxy and name why.
const LOAD = { count: 2000, ratePerSec: 200 }
// The client settles within ~3 s behind every proxy of the suite (apps/bench measures it); this is the test's margin.
const SETTLE_MS = 10_000

test('1. a correct proxy: the client lands on WebSocket', async ({ page, demo, startNginx, loadChannel }, testInfo) => {
  const nginx = await startNginx('good')
  await openDemo(page, nginx.url, { watch: [loadChannel] })
  await publishOnReady(page, demo, loadChannel, testInfo, LOAD, () => expectBadge(page, 'websocket', 'negotiated', SETTLE_MS))
  await expectBadge(page, 'websocket', 'negotiated')
  expect((await record(page)).switches.map((s) => s.name)).toEqual(['websocket'])
})

test('2. Upgrade/Connection not passed: WebSocket fails, the client lands on SSE', async ({ page, demo, startNginx, loadChannel }, testInfo) => {
  const nginx = await startNginx('no-upgrade')
  await openDemo(page, nginx.url, { watch: [loadChannel] })
  await publishOnReady(page, demo, loadChannel, testInfo, LOAD, () => expectBadge(page, 'sse', 'ws-upgrade-refused', SETTLE_MS))
  await expectBadge(page, 'sse', 'ws-upgrade-refused')
})

test('3. a buffering, gzipping proxy that ignores X-Accel-Buffering: the client detects it and lands on long-poll', async ({
  page,
  demo,
  startNginx,
  loadChannel,
}, testInfo) => {
  const nginx = await startNginx('buffering')
  await openDemo(page, nginx.url, { watch: [loadChannel] })
  // WebSocket is refused; SSE and NDJSON open but their hello never comes through the buffer. The subscription is
  // positioned long before that is known, and the burst starts then: events published while the client is still
  // proving its transports must all arrive too.
  await publishOnReady(page, demo, loadChannel, testInfo, LOAD, () => expectBadge(page, 'longpoll', 'stream-buffered', SETTLE_MS))
  await expectBadge(page, 'longpoll', 'stream-buffered')
  const seen = await record(page)
  const positioned = seen.watched[loadChannel]?.ready?.at ?? ''
  const settled = seen.switches[0]?.at ?? ''
  expect(positioned < settled, `positioned (${positioned}) before the client settled (${settled})`).toBe(true)
})
