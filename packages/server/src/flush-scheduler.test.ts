import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { type FlushClock, FlushScheduler } from './flush-scheduler.js'

/** A manual clock: time moves only when a write "costs" some or the test advances it; timers run when due. */
class ManualClock implements FlushClock {
  time = 0
  private timers: { at: number; run: () => void }[] = []

  now(): number {
    return this.time
  }

  later(run: () => void, ms: number): void {
    this.timers.push({ at: this.time + ms, run })
  }

  get pending(): number {
    return this.timers.length
  }

  /** Moves time on by `ms` and runs the timers now due, in order. */
  advance(ms: number): void {
    this.time += ms
    const due = this.timers.filter((timer) => timer.at <= this.time).sort((a, b) => a.at - b.at)
    this.timers = this.timers.filter((timer) => timer.at > this.time)
    for (const timer of due) timer.run()
  }
}

/** Records what each write hands it (frames are one byte: a write of n bytes is n frames); each write costs
 * `costMs` on the clock, like a slow syscall. */
class Recorder extends Writable {
  readonly batches: number[] = []
  readonly chunks: Buffer[] = []
  constructor(
    private readonly clock?: ManualClock,
    private readonly costMs = 0,
  ) {
    super()
  }
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    if (this.clock) this.clock.time += this.costMs
    this.batches.push(chunk.length)
    this.chunks.push(chunk)
    callback()
  }
}

const frame = Buffer.from('x')
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Back-to-back flushes that each cost `costMs`: the scheduler now sees heavy load (its timers run as they fall due). */
async function loadUp(scheduler: FlushScheduler, clock: ManualClock, slow: Recorder): Promise<void> {
  for (let i = 0; i < 3; i++) {
    scheduler.write(slow, frame)
    // At most: the microtask, a loop turn, or the timer the clock runs once due.
    for (let step = 0; step < 3 && slow.batches.length <= i; step++) {
      await nextTurn()
      clock.advance(1000)
    }
    expect(slow.batches).toHaveLength(i + 1)
  }
  slow.batches.length = 0
}

describe('FlushScheduler', () => {
  it('hands each target everything queued for it in one write, joined once for targets given the same frames', async () => {
    const scheduler = new FlushScheduler(10)
    const [first, second] = [new Recorder(), new Recorder()]
    const frames = [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]
    for (const each of frames) for (const target of [first, second]) scheduler.write(target, each)
    expect(scheduler.queuedBytes(first)).toBe(3)
    expect(first.batches).toEqual([])
    await nextTurn()
    for (const target of [first, second]) expect(target.chunks.map(String)).toEqual(['abc'])
    expect(first.chunks[0]).toBe(second.chunks[0])
    expect(scheduler.queuedBytes(first)).toBe(0)
  })

  it('release hands over what is queued at once, and drops it for a target that is gone', async () => {
    const scheduler = new FlushScheduler(10)
    const [open, gone] = [new Recorder(), new Recorder()]
    scheduler.write(open, frame)
    scheduler.write(open, frame)
    scheduler.write(gone, frame)
    scheduler.release(open)
    expect(open.batches).toEqual([2])
    gone.destroy()
    scheduler.release(gone)
    await nextTurn()
    expect(gone.batches).toEqual([])
    expect(open.batches).toEqual([2])
  })

  it('under light load flushes before a publish that awaited the fan-out goes on (frames leave before the answer)', async () => {
    const scheduler = new FlushScheduler(10)
    const target = new Recorder()
    const append = async (): Promise<void> => {
      scheduler.write(target, frame)
    }
    await append()
    // Where the publish route would write its HTTP answer: the event's frame is already out.
    expect(target.batches).toEqual([1])
  })

  it('under heavy load, waits as long as the last flush took and joins what is written meanwhile', async () => {
    const costMs = 40
    const clock = new ManualClock()
    const scheduler = new FlushScheduler(1000, clock)
    const slow = new Recorder(clock, costMs)
    await loadUp(scheduler, clock, slow)
    // A flush that costs costMs (the time since the last one has passed: it runs on the next turn)...
    scheduler.write(slow, frame)
    await nextTurn()
    expect(slow.batches).toEqual([1])
    // ...then the next waits as long on the clock, not in a microtask or the next turn.
    scheduler.write(slow, frame)
    await nextTurn()
    expect(slow.batches).toEqual([1])
    expect(clock.pending).toBe(1)
    // Writes of separate loop turns (separate publishes) join the same write.
    scheduler.write(slow, frame)
    await nextTurn()
    scheduler.write(slow, frame)
    clock.advance(costMs - 1)
    expect(slow.batches).toEqual([1])
    clock.advance(1)
    expect(slow.batches).toEqual([1, 3])
  })

  it('with maxDelayMs 0, under heavy load flushes every loop turn, joining the publishes of one turn', async () => {
    const clock = new ManualClock()
    const scheduler = new FlushScheduler(0, clock)
    const slow = new Recorder(clock, 20)
    await loadUp(scheduler, clock, slow)
    const publish = async (): Promise<void> => {
      scheduler.write(slow, frame)
    }
    // Two publishes handled in one loop turn, the second after the first was answered.
    await publish()
    await publish()
    await Promise.resolve()
    expect(slow.batches).toEqual([])
    await nextTurn()
    expect(slow.batches).toEqual([2])
    expect(clock.pending).toBe(0)
    await publish()
    await nextTurn()
    expect(slow.batches).toEqual([2, 1])
  })

  it('goes back to flushing at once when the load drops', async () => {
    const clock = new ManualClock()
    const scheduler = new FlushScheduler(10, clock)
    await loadUp(scheduler, clock, new Recorder(clock, 20))
    const target = new Recorder(clock, 0)
    // Cheap flushes far apart bring the moving average down (bounded: 50 flushes).
    let eager = false
    for (let i = 0; i < 50 && !eager; i++) {
      scheduler.write(target, frame)
      await Promise.resolve()
      eager = target.batches.length === 1
      await nextTurn()
      clock.advance(100)
      target.batches.length = 0
    }
    expect(eager).toBe(true)
  })
})
