import { afterEach, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from '../../test/helpers/app.js'

// PollQueries remembers checked queries by their query string: a remembered query must answer exactly as a fresh
// one, and a query that fails its checks must fail every time (it is never remembered).
let current: TestApp | undefined
afterEach(async () => {
  await current?.close()
  current = undefined
})

describe('long-poll query checks, remembered per query string', () => {
  it('refuses a bad holdMs or cursor on every poll, not only the first', async () => {
    current = await startApp()
    for (let i = 0; i < 3; i++) {
      expect((await current.fetch('/poll?channel=a&cursor=x&holdMs=abc')).status).toBe(400)
      expect((await current.fetch('/poll?channel=a&cursor=not-a-cursor')).status).toBe(400)
    }
  })

  it('answers repeated identical polls as the first: the same hold, the same channels', async () => {
    current = await startApp()
    const head = ((await (await current.fetch('/poll?channel=a')).json()) as { cursor: string }).cursor
    const url = `/poll?channel=a&cursor=${encodeURIComponent(head)}&holdMs=20`
    for (let i = 0; i < 3; i++) expect((await current.fetch(url)).status).toBe(204)
    await current.app.pushline.publish('a', { n: 1 })
    const answers = await Promise.all([current.fetch(url), current.fetch(url)])
    for (const answer of answers) {
      expect(answer.status).toBe(200)
      expect(((await answer.json()) as { events: unknown[] }).events).toHaveLength(1)
    }
  })
})
