import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { FlushScheduler } from './flush-scheduler.js'

/** Records what each write hands it (frames are one byte: a write of n bytes is n frames); `busyMs` makes each
 * write cost that much CPU, like a slow syscall. */
class Recorder extends Writable {
  readonly batches: number[] = []
  readonly chunks: Buffer[] = []
  constructor(private readonly busyMs = 0) {
    super()
  }
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    const until = performance.now() + this.busyMs
    // Bounded by busyMs.
    while (performance.now() < until) {}
    this.batches.push(chunk.length)
    this.chunks.push(chunk)
    callback()
  }
}

const frame = Buffer.from('x')
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Back-to-back flushes that each take `busyMs`: the scheduler now sees heavy load. */
async function loadUp(scheduler: FlushScheduler, slow: Recorder): Promise<void> {
  for (let i = 0; i < 3; i++) {
    scheduler.write(slow, frame)
    // Bounded: the flush is due within maxDelayMs.
    while (slow.batches.length <= i) await new Promise((resolve) => setTimeout(resolve, 1))
  }
  slow.batches.length = 0
}

describe('FlushScheduler', () => {
  it('hands each target everything queued for it in one write, joined once for targets given the same frames', async () => {
    const scheduler = new FlushScheduler(10)
    const targets = [new Recorder(), new Recorder()]
    const frames = [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]
    for (const each of frames) for (const target of targets) scheduler.write(target, each)
    expect(scheduler.queuedBytes(targets[0]!)).toBe(3)
    expect(targets[0]!.batches).toEqual([])
    await nextTurn()
    for (const target of targets) expect(target.chunks.map(String)).toEqual(['abc'])
    expect(targets[0]!.chunks[0]).toBe(targets[1]!.chunks[0])
    expect(scheduler.queuedBytes(targets[0]!)).toBe(0)
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
    const busyMs = 40
    const scheduler = new FlushScheduler(1000)
    const slow = new Recorder(busyMs)
    await loadUp(scheduler, slow)
    scheduler.write(slow, frame)
    // Bounded: the flush is due within busyMs.
    while (slow.batches.length < 1) await new Promise((resolve) => setTimeout(resolve, 1))
    const flushedAt = performance.now()
    // Writes of separate loop turns (separate publishes) now join one write.
    scheduler.write(slow, frame)
    await nextTurn()
    scheduler.write(slow, frame)
    await Promise.resolve()
    scheduler.write(slow, frame)
    expect(slow.batches).toEqual([1])
    while (slow.batches.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(slow.batches).toEqual([1, 3])
    expect(performance.now() - flushedAt).toBeGreaterThanOrEqual(busyMs - 1)
  })

  it('with maxDelayMs 0, under heavy load flushes every loop turn, joining the publishes of one turn', async () => {
    const scheduler = new FlushScheduler(0)
    const slow = new Recorder(20)
    await loadUp(scheduler, slow)
    const publish = async (): Promise<void> => {
      scheduler.write(slow, frame)
    }
    // Two publishes handled in one loop turn, the second after the first was answered.
    await publish()
    await publish()
    await new Promise((resolve) => process.nextTick(resolve))
    expect(slow.batches).toEqual([])
    await nextTurn()
    expect(slow.batches).toEqual([2])
    await publish()
    await nextTurn()
    expect(slow.batches).toEqual([2, 1])
  })

  it('goes back to flushing at once when the load drops', async () => {
    const scheduler = new FlushScheduler(10)
    const target = new Recorder()
    await loadUp(scheduler, new Recorder(20))
    // Cheap flushes far apart bring the moving average down (bounded: 50 flushes).
    let eager = false
    for (let i = 0; i < 50 && !eager; i++) {
      scheduler.write(target, frame)
      await Promise.resolve()
      eager = target.batches.length === 1
      await new Promise((resolve) => setTimeout(resolve, 2))
      target.batches.length = 0
    }
    expect(eager).toBe(true)
  })
})
