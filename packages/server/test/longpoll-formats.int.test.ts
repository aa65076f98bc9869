import { CURSOR_HEADER, MemoryLog } from '@pushline/core'
import { afterEach, describe, expect, it } from 'vitest'
import type { PushlineOptions } from '../src/index.js'
import { publishAll, startApp, type TestApp } from './helpers/app.js'

interface Compact {
  epoch: string
  channels: string[]
  events: [number, number, unknown][]
  cursor: string
}

interface Runs {
  epoch: string
  channels: string[]
  runs: [number, number, number][]
  data: unknown[]
  cursor: string
}

interface Full {
  events: { channel: string | undefined; cursor: string; data: unknown }[]
  cursor: string
}

/** What protocol 1's body says, from a compact or a runs one. */
const expand = (format: 'compact' | 'runs', text: string): Full => {
  if (format === 'compact') {
    const body = JSON.parse(text) as Compact
    return {
      events: body.events.map(([seq, index, data]) => ({ channel: body.channels[index], cursor: `${body.epoch}-${seq}`, data })),
      cursor: body.cursor,
    }
  }
  const body = JSON.parse(text) as Runs
  const seqs = body.runs.flatMap(([first, count, index]) => Array.from({ length: count }, (_, i) => [first + i, index] as const))
  expect(seqs.length).toBe(body.data.length)
  return {
    events: seqs.map(([seq, index], i) => ({ channel: body.channels[index], cursor: `${body.epoch}-${seq}`, data: body.data[i] })),
    cursor: body.cursor,
  }
}

// The compact and runs long-poll answers (protocol 1 extensions, `format=compact|runs`): the same events as protocol
// 1's body, fewer bytes; everything else about a poll (headers, 204, 410, holds) unchanged, and a poll without
// `format` as before.
describe.each(['compact', 'runs'] as const)('long-poll format=%s', (format) => {
  let t: TestApp | undefined
  const start = async (options: PushlineOptions = {}): Promise<TestApp> => {
    t = await startApp(options)
    return t
  }
  afterEach(async () => {
    await t?.close()
    t = undefined
  })

  it('is listed by negotiate when long-poll is on, and only then', async () => {
    const app = await start({ transports: ['websocket', 'longpoll'] })
    expect(((await (await app.fetch('/negotiate')).json()) as { longpollFormats?: string[] }).longpollFormats).toEqual(['compact', 'runs'])
    await app.close()
    const streams = await start({ transports: ['websocket', 'sse'] })
    expect(((await (await streams.fetch('/negotiate')).json()) as { longpollFormats?: string[] }).longpollFormats).toBeUndefined()
  })

  it('answers the same events as protocol 1, on two channels, in about two thirds of the bytes', async () => {
    const app = await start()
    const head = await app.app.pushline.log.head()
    await publishAll(app.app, 'a', 2)
    await app.app.pushline.publish('b', { text: 'caf\u00e9 "quoted" \\ </script>', list: [1, null, true] })
    await publishAll(app.app, 'c', 1)
    await publishAll(app.app, 'a', 2, 2)
    const full = await app.fetch(`/poll?channel=b&channel=a&cursor=${head}`)
    const compact = await app.fetch(`/poll?channel=b&channel=a&cursor=${head}&format=${format}`)
    expect(compact.status).toBe(200)
    expect(compact.headers.get('content-type')).toBe(full.headers.get('content-type'))
    expect(compact.headers.get(CURSOR_HEADER)).toBe(full.headers.get(CURSOR_HEADER))
    const fullText = await full.text()
    const compactText = await compact.text()
    expect((JSON.parse(compactText) as { channels: string[] }).channels).toEqual(['b', 'a'])
    const events = expand(format, compactText)
    expect(events.events.map((e) => e.channel)).toEqual(['a', 'a', 'b', 'a', 'a'])
    expect(events).toEqual(JSON.parse(fullText))
    expect(compactText.length / fullText.length).toBeLessThan(0.75)
  })

  it('wakes a held poll with its format\'s answer, and keeps 204 and 410 as they are', async () => {
    const app = await start({ log: new MemoryLog({ maxCount: 3 }) })
    const head = await app.app.pushline.log.head()
    const held = app.fetch(`/poll?channel=a&cursor=${head}&format=${format}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const [cursor] = await publishAll(app.app, 'a', 1)
    const woken = await held
    expect(woken.status).toBe(200)
    expect(expand(format, await woken.text())).toEqual({ events: [{ channel: 'a', cursor, data: { n: 0 } }], cursor })

    const quiet = await app.fetch(`/poll?channel=b&cursor=${cursor}&holdMs=0&format=${format}`)
    expect(quiet.status).toBe(204)
    expect(quiet.headers.get(CURSOR_HEADER)).toBe(cursor)

    await publishAll(app.app, 'a', 5)
    const expired = await app.fetch(`/poll?channel=a&cursor=${cursor}&format=${format}`)
    expect(expired.status).toBe(410)
    expect(await expired.json()).toMatchObject({ type: 'reset', reason: 'expired' })
  })

  it('keeps full and formatted polls at one position apart', async () => {
    const app = await start()
    const head = await app.app.pushline.log.head()
    await publishAll(app.app, 'a', 3)
    for (const query of [`&format=${format}`, '', `&format=${format}`, '']) {
      const body = (await (await app.fetch(`/poll?channel=a&cursor=${head}${query}`)).json()) as Record<string, unknown>
      expect('epoch' in body).toBe(query !== '')
    }
  })

  it.each(['full', 'Compact', 'RUNS', '', 'compact,runs'])('answers 400 RT_ERR_REQUEST_INVALID for format=%j', async (bad) => {
    const app = await start()
    const response = await app.fetch(`/poll?channel=a&format=${encodeURIComponent(bad)}`)
    expect(response.status).toBe(400)
    const { error } = (await response.json()) as { error: { code: string; message: string } }
    expect(error.code).toBe('RT_ERR_REQUEST_INVALID')
    expect(error.message).toMatch(/format must be one of "compact", "runs"/)
  })

  it('answers 400 for a format given twice', async () => {
    const app = await start()
    const response = await app.fetch(`/poll?channel=a&format=${format}&format=${format}`)
    expect(response.status).toBe(400)
  })
})
