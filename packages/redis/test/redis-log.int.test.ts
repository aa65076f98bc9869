import { cursorSeq, type LogEvent, isPushlineError } from '@pushline/core'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { createRedisLog, type RedisLog, type RedisLogOptions } from '../src/index.js'
import { type Followed, followInto, sleep, until } from './fixtures/followers.js'
import { flushNamespace } from './fixtures/harness.js'
import { type RedisServer, startRedis } from '@pushline/testing'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function redisServer(aof = false): Promise<RedisServer> {
  const server = await startRedis({ aof })
  cleanups.push(() => server.dispose())
  return server
}

/** One "server instance": its own RedisLog (two connections) on the shared namespace. */
async function instance(server: RedisServer, options: RedisLogOptions = {}): Promise<RedisLog> {
  const log = await createRedisLog({ url: server.url, namespace: 'app', ...options })
  cleanups.push(() => log.close())
  return log
}

async function admin(server: RedisServer): Promise<Redis> {
  const redis = new Redis(server.url)
  cleanups.push(async () => {
    redis.disconnect()
  })
  return redis
}

function clients(list: string): { id: string; name: string; flags: string; cmd: string }[] {
  return list
    .trim()
    .split('\n')
    .map((line) => Object.fromEntries(line.split(' ').map((pair) => pair.split('=') as [string, string])))
    .map((fields) => ({ id: fields.id ?? '', name: fields.name ?? '', flags: fields.flags ?? '', cmd: fields.cmd ?? '' }))
}

function data(events: readonly LogEvent[]): unknown[] {
  return events.map((event) => event.data)
}

async function appendUntilUp(log: RedisLog, channel: string, value: unknown): Promise<LogEvent> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await log.append(channel, value)
    } catch (error) {
      if (attempt > 200) throw error
      await sleep(50)
    }
  }
}

function expectExactly(followed: Followed, expected: readonly LogEvent[]): void {
  expect(followed.errors).toEqual([])
  expect(followed.resets).toEqual([])
  expect(followed.events.map((e) => e.cursor)).toEqual(expected.map((e) => e.cursor))
  expect(data(followed.events)).toEqual(data(expected))
}

describe('RedisLog on a real redis-server', () => {
  it('serves hundreds of subscribers of one process with one blocking reader (two connections in all)', async () => {
    const server = await redisServer()
    const publisher = await instance(server)
    const log = await instance(server)
    const start = await log.head()
    const followers = Array.from({ length: 300 }, (_, i) => followInto(log, [`room-${i % 60}`, 'all'], start))
    const waits = Array.from({ length: 200 }, (_, i) => log.wait([`idle-${i}`, 'all'], start))
    await until(() => log.stats().subscriptions === 500, 10_000, 'all subscriptions active')
    const list = clients(String(await (await admin(server)).client('LIST')))
    // Two logs (publisher and subscriber process) => 2 command + 2 reader connections, nothing per subscriber.
    expect(list.filter((c) => c.name === 'pushline-command')).toHaveLength(2)
    expect(list.filter((c) => c.name === 'pushline-reader')).toHaveLength(2)
    // Only the subscribing process's reader is blocked; the publisher's has nothing to read and idles.
    expect(list.filter((c) => c.flags.includes('b'))).toHaveLength(1)
    expect(list.filter((c) => c.flags.includes('b'))[0]!.cmd).toBe('xread')
    const appended: LogEvent[] = []
    for (let i = 0; i < 60; i++) appended.push(await publisher.append(`room-${i}`, i))
    appended.push(await publisher.append('all', 'bye'))
    await Promise.all(waits)
    for (const [i, followed] of followers.entries()) {
      await until(() => followed.events.length >= 2)
      expectExactly(followed, [appended[i % 60]!, appended[60]!])
      followed.close()
    }
  })

  it('delivers appends from every instance to subscribers on every instance, in one order', async () => {
    const server = await redisServer()
    const logs = [await instance(server), await instance(server), await instance(server)]
    const start = await logs[0]!.head()
    const followers = logs.flatMap((log) => [followInto(log, ['a', 'b'], start), followInto(log, ['b'], start)])
    const appended = await Promise.all(
      Array.from({ length: 300 }, (_, i) => logs[Math.floor(Math.random() * 3)]!.append(i % 3 ? 'a' : 'b', i)),
    )
    appended.sort((x, y) => cursorSeq(x.cursor) - cursorSeq(y.cursor))
    const onB = appended.filter((e) => e.channel === 'b')
    for (const [i, followed] of followers.entries()) {
      const expected = i % 2 === 0 ? appended : onB
      await until(() => followed.events.length >= expected.length)
      await sleep(20)
      expectExactly(followed, expected)
    }
  })

  it('survives a Redis restart with AOF: appends reject with a code while it is down, no loss, no duplicate', async () => {
    const server = await redisServer(true)
    const publisher = await instance(server, { commandTimeoutMs: 500 })
    const subscriber = await instance(server)
    const start = await publisher.head()
    const followed = followInto(subscriber, ['orders'], start)
    const acknowledged: LogEvent[] = []
    for (let i = 0; i < 50; i++) acknowledged.push(await publisher.append('orders', i))
    await until(() => followed.events.length === 50)
    await server.stop()
    const error = await publisher.append('orders', 'lost').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isPushlineError(error) && error.code).toBe('RT_ERR_LOG_UNAVAILABLE')
    expect(isPushlineError(error) && error.statusCode).toBe(503)
    await server.start()
    acknowledged.push(await appendUntilUp(publisher, 'orders', 50))
    for (let i = 51; i < 100; i++) acknowledged.push(await publisher.append('orders', i))
    await until(() => followed.events.length >= 100)
    await sleep(50)
    expectExactly(followed, acknowledged)
    expect(cursorSeq(acknowledged[99]!.cursor)).toBe(cursorSeq(await publisher.head()))
  })

  it('pauses subscribers while Redis is unreachable and resumes them exactly', async () => {
    const server = await redisServer()
    const publisher = await instance(server, { commandTimeoutMs: 300 })
    const subscriber = await instance(server, { commandTimeoutMs: 300 })
    const start = await publisher.head()
    const followed = followInto(subscriber, ['feed'], start)
    await until(() => subscriber.stats().subscriptions === 1)
    const acknowledged: LogEvent[] = []
    const failed: string[] = []
    let stop = false
    const publishing = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          acknowledged.push(await publisher.append('feed', i))
        } catch (error) {
          failed.push(isPushlineError(error) ? error.code : String(error))
          await sleep(20)
        }
      }
    })()
    await sleep(100)
    server.pause()
    await sleep(800)
    server.resume()
    await sleep(500)
    stop = true
    await publishing
    expect(failed.length).toBeGreaterThan(0)
    expect(new Set(failed)).toEqual(new Set(['RT_ERR_LOG_UNAVAILABLE']))
    // A timed-out append may still have been executed once Redis woke up: the log is the truth, and every
    // acknowledged append must be in it; the follower must see exactly the log.
    const truth = await subscriber.read(['feed'], start, { limit: 100_000 })
    if (truth.type !== 'events') throw new Error('unexpected reset')
    const cursors = new Set(truth.events.map((e) => e.cursor))
    for (const event of acknowledged) expect(cursors.has(event.cursor)).toBe(true)
    await until(() => followed.events.length >= truth.events.length)
    await sleep(50)
    expectExactly(followed, truth.events)
  })

  it('resets live followers with reason epoch when Redis loses the namespace', async () => {
    const server = await redisServer()
    const publisher = await instance(server)
    const subscriber = await instance(server)
    const followed = followInto(subscriber, ['news'], await subscriber.head())
    await publisher.append('news', 'old')
    await until(() => followed.events.length === 1)
    await flushNamespace(server.url, subscriber)
    const fresh = await publisher.append('news', 'new')
    await until(() => followed.events.length === 2)
    expect(followed.resets.map((r) => r.reason)).toEqual(['epoch'])
    expect(data(followed.events)).toEqual(['old', 'new'])
    expect(followed.events[1]!.cursor).toBe(fresh.cursor)
  })

  it('tells a follower its reader lost events to retention instead of skipping them silently', async () => {
    const server = await redisServer()
    const publisher = await instance(server, { maxLength: 5 })
    const subscriber = await instance(server, { maxLength: 5 })
    const redis = await admin(server)
    const followed = followInto(subscriber, ['tiny'], await subscriber.head())
    await until(() => subscriber.stats().subscriptions === 1)
    await publisher.append('tiny', -1)
    await until(() => followed.events.length === 1)
    // Drop the reader's connection and outrun its reconnection: retention trims what it has not read yet.
    const reader = clients(String(await redis.client('LIST'))).find((c) => c.flags.includes('b'))
    await redis.client('KILL', 'ID', reader!.id)
    for (let i = 0; i < 30; i++) await publisher.append('tiny', i)
    await until(() => followed.events.at(-1)?.data === 29)
    expect(followed.resets.map((r) => r.reason)).toEqual(['expired'])
    expect(followed.errors).toEqual([])
    expect(data(followed.events).slice(-5)).toEqual([25, 26, 27, 28, 29])
    const seqs = followed.events.map((e) => cursorSeq(e.cursor))
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs)
  })
})
