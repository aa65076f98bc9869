import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { FlushScheduler } from './flush-scheduler.js'

class Recorder extends Writable {
  readonly batches: number[] = []
  override _writev(chunks: { chunk: Buffer }[], callback: () => void): void {
    this.batches.push(chunks.length)
    callback()
  }
  override _write(_chunk: Buffer, _encoding: string, callback: () => void): void {
    this.batches.push(1)
    callback()
  }
}

describe('FlushScheduler', () => {
  it('coalesces every write of a tick into one writev per target', async () => {
    const scheduler = new FlushScheduler()
    const targets = [new Recorder(), new Recorder()]
    const frame = Buffer.from('x')
    for (let i = 0; i < 5; i++) for (const target of targets) scheduler.write(target, frame)
    expect(targets[0]!.batches).toEqual([])
    await new Promise((resolve) => process.nextTick(resolve))
    await new Promise((resolve) => setImmediate(resolve))
    for (const target of targets) expect(target.batches).toEqual([5])
    scheduler.write(targets[0]!, frame)
    scheduler.release(targets[0]!)
    await new Promise((resolve) => setImmediate(resolve))
    expect(targets[0]!.batches).toEqual([5, 1])
  })

  it('coalesces writes of separate publishes in the same loop turn (across nextTicks and promises)', async () => {
    const scheduler = new FlushScheduler()
    const target = new Recorder()
    const frame = Buffer.from('x')
    scheduler.write(target, frame)
    await new Promise((resolve) => process.nextTick(resolve))
    scheduler.write(target, frame)
    await Promise.resolve()
    scheduler.write(target, frame)
    expect(target.batches).toEqual([])
    await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setImmediate(resolve))
    expect(target.batches).toEqual([3])
  })
})
