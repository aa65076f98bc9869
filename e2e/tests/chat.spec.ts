import { expectBadge, openDemo, type TransportName, waitPositioned } from '../fixtures/page.js'
import { expect, test } from '../fixtures/test.js'

// Two browser contexts (two users) talk through the chat on each transport, through the correct proxy: what one
// sends through the page's composer, the other receives, in order; and the reply comes back. Alice starts typing as
// soon as both pages' subscriptions are positioned, not once the transport badge has settled.
const TRANSPORTS: TransportName[] = ['websocket', 'sse', 'ndjson', 'longpoll']

for (const transport of TRANSPORTS) {
  test(`chat between two browser contexts over ${transport}`, async ({ browser, startNginx }) => {
    const nginx = await startNginx('good')
    const aliceContext = await browser.newContext()
    const bobContext = await browser.newContext()
    try {
      const alice = await aliceContext.newPage()
      const bob = await bobContext.newPage()
      await openDemo(alice, nginx.url, { transports: [transport], name: 'alice' })
      await openDemo(bob, nginx.url, { transports: [transport], name: 'bob' })
      await waitPositioned(alice, ['page'])
      await waitPositioned(bob, ['page'])

      const lines = Array.from({ length: 5 }, (_, i) => `hello ${i + 1} from alice over ${transport}`)
      for (const line of lines) {
        await alice.locator('#chat-text').fill(line)
        await alice.locator('#chat-send').click()
        // The composer clears once the publish is acknowledged.
        await expect(alice.locator('#chat-text')).toHaveValue('')
      }
      await expect(bob.locator('#chat-messages .msg .text')).toHaveText(lines)
      await expect(bob.locator('#chat-messages .msg .from')).toHaveText(lines.map(() => 'alice'))

      await bob.locator('#chat-text').fill('hi alice, bob here')
      await bob.locator('#chat-text').press('Enter')
      await expect(alice.locator('#chat-messages .msg .text')).toHaveText([...lines, 'hi alice, bob here'])
      await expect(alice.locator('#chat-messages .msg.mine')).toHaveCount(lines.length)
      await expectBadge(alice, transport, 'negotiated')
      await expectBadge(bob, transport, 'negotiated')
    } finally {
      await aliceContext.close()
      await bobContext.close()
    }
  })
}
