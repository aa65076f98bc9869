import { describe, expect, it, vi } from 'vitest'
import { type Positionable, type ReadyRecord, whenPositioned } from './ready.js'

describe('whenPositioned', () => {
  it("records the start cursor `ready` resolves with, once", async () => {
    const seen: ReadyRecord[] = []
    const sub: Positionable = { cursor: undefined, ready: Promise.resolve({ cursor: 'e1-41' }) }
    whenPositioned(sub, performance.now(), (ready) => seen.push(ready))
    await vi.waitFor(() => expect(seen).toHaveLength(1))
    expect(seen[0]?.cursor).toBe('e1-41')
    expect(seen[0]?.afterMs).toBeGreaterThanOrEqual(0)
  })

  it('records nothing when `ready` rejects (the subscription reports its error itself)', async () => {
    const seen: ReadyRecord[] = []
    const ready = Promise.reject(new Error('refused'))
    whenPositioned({ cursor: undefined, ready }, performance.now(), (r) => seen.push(r))
    await ready.catch(() => undefined)
    expect(seen).toEqual([])
  })

  it('falls back to the first known `cursor` on a client without `ready`', async () => {
    const seen: ReadyRecord[] = []
    const sub = { cursor: undefined as string | undefined }
    whenPositioned(sub, performance.now(), (ready) => seen.push(ready))
    expect(seen).toEqual([])
    sub.cursor = 'e1-7'
    await vi.waitFor(() => expect(seen.map((r) => r.cursor)).toEqual(['e1-7']))
  })

  it('stops waiting when told to', async () => {
    const seen: ReadyRecord[] = []
    let resolve: (value: unknown) => void = () => undefined
    const stop = whenPositioned({ cursor: undefined, ready: new Promise((r) => (resolve = r)) }, 0, (r) => seen.push(r))
    stop()
    resolve({ cursor: 'e1-1' })
    await Promise.resolve()
    expect(seen).toEqual([])
  })
})
