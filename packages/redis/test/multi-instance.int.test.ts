import { createClient, type PushlineClient } from '@pushline/client'
import { cursorSeq, type LogEvent, TRANSPORT_NAMES, type TransportName } from '@pushline/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createRedisLog, type RedisLog } from '../src/index.js'
import { sleep, until } from './fixtures/followers.js'
import { createInstance, type Instance } from './fixtures/instances.js'
import { type Nginx, startNginx } from './fixtures/nginx.js'
import { type RedisServer, startRedis } from '@pushline/testing'

const CHANNELS = ['orders', 'news']
const NAMESPACE = 'multi'

let redis: RedisServer
let instances: Instance[] = []
let nginx: Nginx | undefined
let log: RedisLog | undefined
const clients: PushlineClient[] = []

beforeAll(async () => {
  redis = await startRedis()
  instances = await Promise.all(['i1', 'i2', 'i3'].map((name) => createInstance(name, redis.url, NAMESPACE)))
  await Promise.all(instances.map((instance) => instance.start()))
  nginx = await startNginx(instances.map((instance) => instance.port))
  log = await createRedisLog({ url: redis.url, namespace: NAMESPACE })
})

afterAll(async () => {
  for (const client of clients) client.close()
  await log?.close()
  await nginx?.stop()
  await Promise.all(instances.map((instance) => instance.kill()))
  await redis?.dispose()
})

/** POST /rt/publish through nginx until one instance acknowledges it (an instance may be dead right now). */
async function publish(base: string, channel: string, data: unknown): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await fetch(`${base}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel, data }),
    }).catch(() => undefined)
    if (response?.status === 201) return ((await response.json()) as { cursor: string }).cursor
    await response?.body?.cancel()
    await sleep(20)
  }
  throw new Error('publish never succeeded')
}

async function truthAfter(start: string): Promise<LogEvent[]> {
  const result = await log!.read(CHANNELS, start, { limit: 100_000 })
  if (result.type !== 'events') throw new Error('unexpected reset')
  return [...result.events]
}

describe('three instances on one Redis behind round-robin nginx', () => {
  it('every client on every transport gets every event once, in order, while instances are killed and restarted', async () => {
    const base = `http://127.0.0.1:${nginx!.port}/rt`
    const start = await log!.head()
    const received = new Map<TransportName, LogEvent[]>()
    const resets: unknown[] = []
    const switches: string[] = []
    for (const transport of TRANSPORT_NAMES) {
      const client = createClient({
        url: base,
        transports: [transport],
        WebSocket: WebSocket as unknown as NonNullable<Parameters<typeof createClient>[0]['WebSocket']>,
      })
      clients.push(client)
      client.on('transport', (change) => {
        if (change.name !== transport) switches.push(`${transport} -> ${change.name}`)
      })
      const events: LogEvent[] = []
      received.set(transport, events)
      client.subscribe(CHANNELS, { cursor: start, onEvent: (event) => events.push(event), onReset: (r) => resets.push(r) })
    }
    const acknowledged: string[] = []
    let publishing = true
    const publisher = (async () => {
      for (let i = 0; i < 300; i++) {
        acknowledged.push(await publish(base, CHANNELS[i % 2]!, { i }))
        await sleep(10)
      }
      publishing = false
    })()
    // Kill and restart the instances one at a time while events flow.
    for (let round = 0; publishing && round < 12; round++) {
      const victim = instances[round % instances.length]!
      await victim.kill()
      await sleep(250)
      await victim.start()
      await sleep(350)
    }
    await publisher
    const truth = await truthAfter(start)
    for (const cursor of acknowledged) expect(truth.some((e) => e.cursor === cursor)).toBe(true)
    for (const [transport, events] of received) {
      await until(() => events.length >= truth.length, 30_000, `${transport} caught up`)
    }
    await sleep(300)
    expect(resets).toEqual([])
    expect(switches).toEqual([])
    for (const [transport, events] of received) {
      expect({ transport, cursors: events.map((e) => e.cursor) }).toEqual({ transport, cursors: truth.map((e) => e.cursor) })
      expect(events.map((e) => e.data)).toEqual(truth.map((e) => e.data))
    }
    for (const client of clients.splice(0)) client.close()
  }, 90_000)

  it('long-polls land on a different instance almost every time and resume exactly', async () => {
    const base = `http://127.0.0.1:${nginx!.port}/rt`
    // The previous test killed and restarted instances: nginx may still hold one as failed (fail_timeout 1s).
    // Wait, bounded, until all three answer through it again, so the rotation below is the steady state.
    const seen = new Set<string>()
    for (let i = 0; i < 100 && seen.size < 3; i++) {
      const response = await fetch(`${base}/negotiate`)
      seen.add(response.headers.get('x-pushline-instance') ?? '?')
      await response.arrayBuffer()
      if (seen.size < 3) await sleep(100)
    }
    expect(seen.size).toBe(3)
    let cursor = await log!.head()
    const start = cursor
    const served: string[] = []
    const got: LogEvent[] = []
    for (let i = 0; i < 30; i++) {
      // Published straight into Redis so that the only requests through nginx are this client's polls.
      await log!.append(CHANNELS[i % 2]!, { poll: i })
      const query = `${CHANNELS.map((c) => `channel=${c}`).join('&')}&cursor=${encodeURIComponent(cursor)}&holdMs=2000`
      const response = await fetch(`${base}/poll?${query}`)
      served.push(response.headers.get('x-pushline-instance') ?? '?')
      expect(response.status).toBe(200)
      const body = (await response.json()) as { events: LogEvent[]; cursor: string }
      got.push(...body.events)
      cursor = body.cursor
    }
    const truth = await truthAfter(start)
    expect(got.map((e) => e.cursor)).toEqual(truth.map((e) => e.cursor))
    expect(new Set(served).size).toBe(3)
    const moved = served.filter((name, i) => i > 0 && name !== served[i - 1]).length
    // Plain round-robin with no affinity: every poll is served by another instance than the one before.
    expect(moved / (served.length - 1)).toBeGreaterThanOrEqual(0.9)
    for (let i = 1; i < got.length; i++) expect(cursorSeq(got[i]!.cursor)).toBeGreaterThan(cursorSeq(got[i - 1]!.cursor))
  }, 60_000)
})
