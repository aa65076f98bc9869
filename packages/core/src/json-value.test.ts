import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isJsonValue } from './json-value.js'

describe('isJsonValue', () => {
  it('accepts every value fast-check considers JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => isJsonValue(value)))
  })

  it('rejects what JSON would drop or change', () => {
    const cyclic: unknown[] = []
    cyclic.push(cyclic)
    for (const bad of [
      undefined,
      () => 1,
      Symbol('s'),
      1n,
      Number.NaN,
      -Infinity,
      cyclic,
      { a: undefined },
      [1, undefined],
      new Date(0),
      new Map(),
    ]) {
      expect(isJsonValue(bad)).toBe(false)
    }
  })

  it('accepts shared (non-cyclic) references and bounds depth', () => {
    const shared = { x: 1 }
    expect(isJsonValue({ a: shared, b: shared })).toBe(true)
    let deep: unknown = 1
    for (let i = 0; i < 100; i++) deep = [deep]
    expect(isJsonValue(deep)).toBe(false)
    expect(isJsonValue(Object.create(null))).toBe(true)
  })
})
