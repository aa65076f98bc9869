import { expectBadge, openDemo, publishOnReady, type TransportName } from '../fixtures/page.js'
import { test } from '../fixtures/test.js'

// Case 5: each transport forced in turn (`?transports=<one>`, the demo's transport-order control) through the
// correct proxy: it is used, and it delivers every event in order exactly once, published from the moment the
// subscription (no cursor) is positioned.
const TRANSPORTS: TransportName[] = ['websocket', 'sse', 'ndjson', 'longpoll']

for (const transport of TRANSPORTS) {
  test(`5. forced ${transport} through the correct proxy delivers every event`, async ({ page, demo, startNginx, loadChannel }, testInfo) => {
    const nginx = await startNginx('good')
    await openDemo(page, nginx.url, { transports: [transport], watch: [loadChannel] })
    await publishOnReady(page, demo, loadChannel, testInfo, { count: 2000, ratePerSec: 250 }, () =>
      expectBadge(page, transport, 'negotiated', 10_000),
    )
    await expectBadge(page, transport, 'negotiated')
  })
}

test('5. the transport-order select reloads on the chosen transport and resumes from the last cursor', async ({ page, startNginx }) => {
  const nginx = await startNginx('good')
  await openDemo(page, nginx.url)
  await expectBadge(page, 'websocket')
  await test.expect(page.locator('#ticker .tile').first()).toBeVisible()
  await page.locator('#transport-order').selectOption('ndjson')
  await expectBadge(page, 'ndjson', 'negotiated')
  const url = new URL(page.url())
  test.expect(url.searchParams.get('transports')).toBe('ndjson')
  test.expect(url.searchParams.get('cursor')).toMatch(/^[a-z0-9]+-\d+$/)
})
