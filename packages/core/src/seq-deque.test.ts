import { describe, expect, it } from 'vitest'
import { SeqDeque } from './seq-deque.js'

describe('SeqDeque', () => {
  it('finds the first item after a key by binary search', () => {
    const d = new SeqDeque<number>((n) => n)
    for (const n of [2, 4, 6, 8]) d.push(n)
    expect(d.indexAfter(0)).toBe(0)
    expect(d.indexAfter(4)).toBe(2)
    expect(d.indexAfter(5)).toBe(2)
    expect(d.indexAfter(8)).toBe(4)
  })

  it('keeps lookups right across shifts and compaction', () => {
    const d = new SeqDeque<number>((n) => n)
    for (let i = 1; i <= 5000; i++) d.push(i)
    for (let i = 0; i < 3000; i++) d.shift()
    expect(d.length).toBe(2000)
    expect(d.first()).toBe(3001)
    expect(d.last()).toBe(5000)
    expect(d.indexAfter(4000)).toBe(1000)
    expect(d.at(1000)).toBe(4001)
    expect(d.indexAfter(1)).toBe(0)
  })

  it('empties cleanly', () => {
    const d = new SeqDeque<number>((n) => n)
    d.push(1)
    expect(d.shift()).toBe(1)
    expect(d.shift()).toBeUndefined()
    expect(d.length).toBe(0)
    expect(d.last()).toBeUndefined()
  })
})
