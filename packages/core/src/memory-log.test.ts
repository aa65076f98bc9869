import { describe, expect, it } from 'vitest'
import { readAll } from './conformance/helpers.js'
import { MemoryLog } from './memory-log.js'

describe('MemoryLog specifics', () => {
  it('retains by bytes', async () => {
    const log = new MemoryLog({ maxBytes: 2000 })
    for (let i = 0; i < 100; i++) await log.append('b', 'x'.repeat(100))
    expect(log.stats().bytes).toBeLessThanOrEqual(2000)
    expect(log.stats().events).toBeGreaterThan(5)
    expect(log.stats().events).toBeLessThan(20)
  })

  it('retains by age on its clock', async () => {
    let now = 1_000
    const log = new MemoryLog({ maxAgeMs: 500, now: () => now })
    const start = await log.head()
    await log.append('t', 1)
    now += 400
    await log.append('t', 2)
    now += 200
    const result = await log.read(['t'], start)
    expect(result.type).toBe('reset')
    if (result.type !== 'reset') return
    expect(result.reason).toBe('expired')
    expect((await readAll(log, ['t'], result.cursor)).events.map((e) => e.data)).toEqual([2])
  })

  it('does not reset a quiet channel when only other channels lost events', async () => {
    const log = new MemoryLog({ maxCount: 10 })
    const start = await log.head()
    await log.append('quiet', 'q')
    const afterQuiet = await log.head()
    for (let i = 0; i < 5; i++) await log.append('busy', i)
    // 'quiet' is still retained, 'busy' lost nothing after afterQuiet yet.
    expect((await readAll(log, ['quiet'], start)).events.map((e) => e.data)).toEqual(['q'])
    for (let i = 5; i < 40; i++) await log.append('busy', i)
    // Now 'quiet' was trimmed away: a reader before it must be told...
    expect((await log.read(['quiet'], start)).type).toBe('reset')
    // ...but a reader after it lost nothing on that channel.
    const result = await log.read(['quiet'], afterQuiet)
    expect(result.type).toBe('events')
  })

  it('reads what a plain array says at its retention limit, from any position, one channel or several', async () => {
    // A log running at its limit for many times its size (every slot of its rings reused), read after every append
    // from positions across what it still retains, as pollers at different cursors read it.
    const maxCount = 37
    const log = new MemoryLog({ maxCount })
    const channels = ['a', 'b', 'c']
    const appended: { channel: string; cursor: string; seq: number }[] = []
    for (let i = 0; i < 1500; i++) {
      const channel = channels[(i * 7) % 5 === 0 ? 2 : i % 2] ?? 'a'
      const event = await log.append(channel, i)
      appended.push({ channel, cursor: event.cursor, seq: i })
      if (i % 7 !== 0) continue
      const retained = appended.slice(-maxCount)
      for (const at of [0, 5, retained.length - 2]) {
        const after = retained[at]
        if (!after) continue
        for (const wanted of [['a'], ['c'], ['a', 'b', 'c'], ['b', 'c']]) {
          const result = await log.read(wanted, after.cursor, { limit: 10 })
          expect(result.type).toBe('events')
          if (result.type !== 'events') continue
          const expected = retained.slice(at + 1).filter((e) => wanted.includes(e.channel))
          expect(result.events.map((e) => e.data)).toEqual(expected.slice(0, 10).map((e) => e.seq))
          expect(result.more).toBe(expected.length > 10)
        }
      }
    }
  })

  it('forgets channels, waiters and listeners it no longer needs', async () => {
    const log = new MemoryLog({ maxCount: 5 })
    for (let i = 0; i < 50; i++) await log.append(`c${i}`, i)
    expect(log.stats().channels).toBe(5)
    const head = await log.head()
    const controller = new AbortController()
    const waits = Array.from({ length: 100 }, (_, i) =>
      log.wait([`w${i}`, 'shared'], head, controller.signal).catch(() => 'aborted'),
    )
    expect(log.stats().waiters).toBe(100)
    const unlisten = log.listen(['x', 'y'], { onEvent: () => undefined })
    expect(log.stats().listenedChannels).toBe(2)
    controller.abort()
    expect(await Promise.all(waits)).toEqual(Array(100).fill('aborted'))
    expect(log.stats().waiters).toBe(0)
    unlisten()
    expect(log.stats().listenedChannels).toBe(0)
  })

  it('wakes only the waiters of the appended channel', async () => {
    const log = new MemoryLog()
    const head = await log.head()
    const woken: string[] = []
    const a = log.wait(['a'], head).then(() => woken.push('a'))
    const b = log.wait(['b'], head).then(
      () => woken.push('b'),
      (error: { code: string }) => error.code,
    )
    await log.append('a', 1)
    await a
    expect(woken).toEqual(['a'])
    expect(log.stats().waiters).toBe(1)
    await log.close()
    expect(await b).toBe('RT_ERR_LOG_CLOSED')
  })

  it('refuses nonsense options with a coded error', () => {
    expect(() => new MemoryLog({ maxCount: 0 })).toThrow(expect.objectContaining({ code: 'RT_ERR_CONFIG_INVALID' }))
    expect(() => new MemoryLog({ maxAgeMs: -1 })).toThrow(expect.objectContaining({ code: 'RT_ERR_CONFIG_INVALID' }))
  })

  it('refuses use after close', async () => {
    const log = new MemoryLog()
    await log.close()
    await expect(log.append('a', 1)).rejects.toMatchObject({ code: 'RT_ERR_LOG_CLOSED', statusCode: 503 })
  })
})
