import { afterEach, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from './helpers/app.js'

// Long-poll answers a shared cache may keep (issue 15): opt-in, answers with events only.
let current: TestApp | undefined
afterEach(async () => {
  await current?.close()
  current = undefined
})

describe('long-poll answers for shared caches', () => {
  it('marks answers with events public when longpollCacheMaxAgeSec is set, and nothing else', async () => {
    current = await startApp({ longpollCacheMaxAgeSec: 30 })
    const head = (await (await current.fetch('/poll?channel=a')).json()) as { cursor: string }
    await current.app.pushline.publish('a', { n: 1 })
    const withEvents = await current.fetch(`/poll?channel=a&cursor=${head.cursor}`)
    expect(withEvents.status).toBe(200)
    expect(withEvents.headers.get('cache-control')).toBe('public, max-age=30')
    const body = (await withEvents.json()) as { events: unknown[]; cursor: string }
    expect(body.events).toHaveLength(1)
    // A hold that ends empty must not be cached.
    const empty = await current.fetch(`/poll?channel=a&cursor=${body.cursor}&holdMs=10`)
    expect(empty.status).toBe(204)
    expect(empty.headers.get('cache-control')).toContain('no-store')
  })

  it('keeps answers uncacheable by default', async () => {
    current = await startApp()
    const head = (await (await current.fetch('/poll?channel=a')).json()) as { cursor: string }
    await current.app.pushline.publish('a', { n: 1 })
    const answer = await current.fetch(`/poll?channel=a&cursor=${head.cursor}`)
    expect(answer.headers.get('cache-control')).toContain('no-store')
  })
})
