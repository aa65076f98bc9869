import type { IncomingMessage, ServerResponse } from 'node:http'
import { MemoryLog, PushlineError } from '@pushline/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { publishAll, startApp, until } from './helpers/app.js'
import { CLIENTS } from './helpers/clients.js'
import { scenario } from './helpers/scenario.js'
import { stalledSubscriber } from './helpers/stalled.js'

// The same scenarios over every transport, with real clients: ws, eventsource, undici fetch, plain HTTP polls.
describe.each(CLIENTS)('$name', (client) => {
  const { start, subscribe, refusalOf } = scenario(client)

  it('subscribes from now and receives N events in order', async () => {
    const t = await start()
    await publishAll(t.app, 'chat', 3)
    const sub = await subscribe(t, ['chat'])
    const cursors = await publishAll(t.app, 'chat', 50, 3)
    const events = await sub.waitEvents(50)
    expect(events.map((e) => e.cursor)).toEqual(cursors)
    expect(events.map((e) => (e.data as { n: number }).n)).toEqual(cursors.map((_, i) => i + 3))
  })

  it('resumes after a cursor with no gap and no duplicate, then goes live', async () => {
    const t = await start()
    const cursors = await publishAll(t.app, 'chat', 10)
    const sub = await subscribe(t, ['chat'], cursors[3])
    expect((await sub.waitEvents(6)).map((e) => e.cursor)).toEqual(cursors.slice(4))
    const live = await publishAll(t.app, 'chat', 5, 10)
    const events = await sub.waitEvents(11)
    expect(events.map((e) => e.cursor)).toEqual([...cursors.slice(4), ...live])
  })

  it('follows several channels with one cursor and nothing from other channels', async () => {
    const t = await start()
    const start0 = await t.app.pushline.log.head()
    const expected: string[] = []
    for (let i = 0; i < 30; i++) {
      const channel = ['a', 'b', 'c'][i % 3]!
      const event = await t.app.pushline.publish(channel, i)
      if (channel !== 'c') expected.push(event.cursor)
    }
    const sub = await subscribe(t, ['a', 'b'], start0)
    const events = await sub.waitEvents(20)
    expect(events.map((e) => e.cursor)).toEqual(expected)
    await t.app.pushline.publish('c', 'no')
    await t.app.pushline.publish('b', 'yes')
    const after = await sub.waitEvents(21)
    expect(after.at(-1)?.data).toBe('yes')
    expect(after.every((e) => e.channel !== 'c')).toBe(true)
  })

  it('answers an expired cursor with an explicit reset, then what the log still has', async () => {
    const t = await start({ log: new MemoryLog({ maxCount: 5 }) })
    const cursors = await publishAll(t.app, 'chat', 20)
    const sub = await subscribe(t, ['chat'], cursors[0])
    const reset = await sub.waitFrame('reset')
    expect(reset).toMatchObject({ type: 'reset', reason: 'expired', cursor: cursors[14] })
    expect((await sub.waitEvents(5)).map((e) => e.cursor)).toEqual(cursors.slice(15))
    expect(t.app.pushline.metrics().transports[client.name].resets).toBeGreaterThanOrEqual(1)
  })

  it('resets a cursor from another epoch', async () => {
    const t = await start()
    await publishAll(t.app, 'chat', 2)
    const sub = await subscribe(t, ['chat'], 'otherepoch-1')
    expect(await sub.waitFrame('reset')).toMatchObject({ reason: 'epoch' })
  })

  it('refuses a denied subscription (403 / 401) and delivers nothing', async () => {
    const t = await start({
      authorize: (_identity, { request, channels }) => {
        if (request.headers.authorization !== 'Bearer ok') {
          throw new PushlineError('RT_ERR_AUTH_UNAUTHENTICATED', 'log in first', { statusCode: 401 })
        }
        return !channels.includes('secret')
      },
    })
    const ok = { authorization: 'Bearer ok' }
    const denied = await refusalOf(subscribe(t, ['public', 'secret'], undefined, ok))
    expect([403, 4403]).toContain(denied.status)
    expect(denied.code).toBe('RT_ERR_AUTH_FORBIDDEN')
    const anonymous = await refusalOf(subscribe(t, ['public']))
    expect([401, 4401]).toContain(anonymous.status)
    expect(anonymous.code).toBe('RT_ERR_AUTH_UNAUTHENTICATED')
    const allowed = await subscribe(t, ['public'], undefined, ok)
    await t.app.pushline.publish('public', 1)
    expect(await allowed.waitEvents(1)).toHaveLength(1)
  })

  it('refuses connections beyond the per-client limit with 429 and Retry-After', async () => {
    const t = await start({ limits: { maxConnectionsPerClient: 2 } })
    const cursor = await t.app.pushline.log.head()
    await subscribe(t, ['a'], cursor)
    await subscribe(t, ['a'], cursor)
    if (client.name === 'longpoll') {
      // Held polls are connections: the two subscribers hold one each, so a third hold is refused.
      const response = await t.fetch(`/poll?channel=a&cursor=${cursor}`)
      expect(response.status).toBe(429)
      expect(response.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/)
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('RT_ERR_LIMIT_CLIENT_CONNECTIONS')
      return
    }
    const refused = await refusalOf(subscribe(t, ['a'], cursor))
    expect(refused.status).toBe(429)
    expect(refused.code).toBe('RT_ERR_LIMIT_CLIENT_CONNECTIONS')
    expect(refused.retryAfter).toMatch(/^[1-9][0-9]*$/)
  })

  it.each([
    ['a malformed cursor', ['a'], 'not a cursor', 'RT_ERR_CURSOR_MALFORMED'],
    ['an invalid channel name', ['bad channel!'], undefined, 'RT_ERR_CHANNEL_INVALID'],
    ['no channel', [], undefined, 'RT_ERR_CHANNEL_INVALID'],
  ])('refuses %s with a coded 400', async (_what, channels, cursor, code) => {
    const t = await start()
    const refused = await refusalOf(subscribe(t, channels, cursor))
    expect([400, 4400]).toContain(refused.status)
    expect(refused.code).toBe(code)
  })

  it('refuses undeclared channels when declarations are strict', async () => {
    const t = await start({ channels: { chat: z.object({ text: z.string() }) } })
    const refused = await refusalOf(subscribe(t, ['other']))
    expect(refused.code).toBe('RT_ERR_CHANNEL_UNDECLARED')
  })

  it('ends streams on shutdown so that clients resume elsewhere', async () => {
    const t = await start()
    const sub = await subscribe(t, ['chat'])
    const cursors = await publishAll(t.app, 'chat', 3)
    await sub.waitEvents(3)
    // app.close(), not t.close(): the test's HTTP agent must outlive the server to read the last frames.
    const closing = t.app.close()
    if (client.name === 'longpoll') {
      await sub.waitFrame('expired')
    } else {
      expect(await sub.waitFrame('close')).toMatchObject({ code: 'RT_ERR_STREAM_SHUTDOWN' })
    }
    await closing
    expect(sub.events().map((e) => e.cursor)).toEqual(cursors)
  })
})

// Backpressure: a subscriber that stops reading is dropped with a coded reason, counted, and its memory freed.
describe.each(['websocket', 'sse', 'ndjson'] as const)('%s slow consumer', (transport) => {
  it('is disconnected once its pending bytes pass the high-water mark', async () => {
    const t = await startApp({ limits: { maxBufferedBytes: 256 * 1024 }, closeGraceMs: 100 })
    const socket = await stalledSubscriber(t, transport, 'big')
    try {
      const big = 'x'.repeat(60_000)
      const counters = () => t.app.pushline.metrics().transports[transport]
      for (let i = 0; i < 2000 && counters().slowConsumerDrops === 0; i++) {
        await t.app.pushline.publish('big', big)
        if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve))
      }
      expect(counters().slowConsumerDrops).toBe(1)
      await until(() => counters().connections === 0, 'the slow connection to be released')
    } finally {
      socket.destroy()
      await t.close()
    }
  })
})

describe('longpoll batches', () => {
  it('bounds one answer by count and bytes and hands the rest to the next poll', async () => {
    const t = await startApp({ limits: { maxBatchEvents: 7 } })
    try {
      const start = await t.app.pushline.log.head()
      const cursors = await publishAll(t.app, 'chat', 10)
      const first = (await (await t.fetch(`/poll?channel=chat&cursor=${start}`)).json()) as { events: unknown[]; cursor: string }
      expect(first.events).toHaveLength(7)
      expect(first.cursor).toBe(cursors[6])
      const second = (await (await t.fetch(`/poll?channel=chat&cursor=${first.cursor}`)).json()) as { events: unknown[] }
      expect(second.events).toHaveLength(3)
    } finally {
      await t.close()
    }
  })

  it('answers the held poll a publish wakes before it answers the publish', async () => {
    const t = await startApp()
    try {
      const finished: string[] = []
      t.app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
        response.once('finish', () => finished.push(`${request.method} ${request.url?.split('?')[0]}`))
      })
      for (let round = 0; round < 3; round++) {
        const cursor = await t.app.pushline.log.head()
        const poll = t.fetch(`/poll?channel=chat&cursor=${cursor}`)
        await until(() => t.app.pushline.metrics().transports.longpoll.connections === 1, 'the poll to be held')
        const published = await t.fetch('/publish', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ channel: 'chat', data: round }),
        })
        expect(published.status).toBe(201)
        expect(((await (await poll).json()) as { events: { data: unknown }[] }).events.map((event) => event.data)).toEqual([round])
      }
      expect(finished).toEqual(Array(3).fill(['GET /rt/poll', 'POST /rt/publish']).flat())
    } finally {
      await t.close()
    }
  })

  it('expires a hold with 204 and no body', async () => {
    const t = await startApp({ holdMs: 100 })
    try {
      const cursor = await t.app.pushline.log.head()
      const response = await t.fetch(`/poll?channel=chat&cursor=${cursor}`)
      expect(response.status).toBe(204)
      expect(await response.text()).toBe('')
    } finally {
      await t.close()
    }
  })
})
