import { expectBadge, expectEveryEvent, openDemo, record, waitPositioned } from '../fixtures/page.js'
import { expect, test } from '../fixtures/test.js'

// Mid-session proxy change: nginx is reloaded (`nginx -s reload`, same -p/-c) from the correct config into the
// buffering one and back, while events flow at a steady rate. The client must move down to long-poll, then back up
// to WebSocket on its own, and the page must see every event exactly once, in order, across both moves.
test('a proxy reloaded into a broken config and back: the client moves down, then up, losing nothing', async ({
  page,
  demo,
  startNginx,
  loadChannel,
}, testInfo) => {
  test.setTimeout(240_000)
  const nginx = await startNginx('good')
  // Re-tests of better transports every 5-10 s instead of the default 30-60 s, to keep the suite short.
  await openDemo(page, nginx.url, { watch: [loadChannel], upgradeMs: 10_000 })
  // No cursor: the events flow from the moment the subscription is positioned. Far more than the scenario needs;
  // the burst is stopped once the client is back up.
  await waitPositioned(page, [loadChannel])
  const burst = await demo.startBurst(loadChannel, 100_000, 100)
  await expectBadge(page, 'websocket', 'negotiated', 10_000)
  await page.waitForTimeout(2_000)

  await nginx.switchTo('buffering')
  await expectBadge(page, 'longpoll', undefined, 90_000)
  await page.waitForTimeout(2_000)

  await nginx.switchTo('good')
  await expectBadge(page, 'websocket', 'upgrade', 90_000)
  await page.waitForTimeout(2_000)

  const status = await demo.stopBurst(burst.id)
  expect(status.error).toBeNull()
  await testInfo.attach('switches.json', { body: JSON.stringify((await record(page)).switches, null, 2), contentType: 'application/json' })
  await expectEveryEvent(page, loadChannel, status.published, testInfo)
})
