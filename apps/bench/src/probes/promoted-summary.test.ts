import { describe, expect, it } from 'vitest'
import { promotedBySite } from './promoted-summary.js'

const frame = (name: string, line = 1) => ({ functionName: name, url: `file:///app/dist/${name}.js`, lineNumber: line })

describe('promotedBySite', () => {
  it('adds the bytes of each allocation site, named with its two callers', () => {
    const head = {
      callFrame: frame('(root)', 0),
      children: [
        {
          callFrame: frame('handler'),
          selfSize: 100,
          children: [
            { callFrame: frame('build'), selfSize: 40, children: [{ callFrame: frame('join'), selfSize: 7 }] },
            { callFrame: frame('build'), selfSize: 2 },
          ],
        },
        { callFrame: frame('timer'), selfSize: 25 },
      ],
    }
    const { total, sites } = promotedBySite(head)
    expect(total).toBe(174)
    expect(Object.fromEntries(sites)).toEqual({
      'handler dist/handler.js:1  <-  (root) dist/(root).js:0': 100,
      'build dist/build.js:1  <-  handler dist/handler.js:1  <-  (root) dist/(root).js:0': 42,
      'join dist/join.js:1  <-  build dist/build.js:1  <-  handler dist/handler.js:1': 7,
      'timer dist/timer.js:1  <-  (root) dist/(root).js:0': 25,
    })
  })

  it('counts nothing for a profile without samples', () => {
    expect(promotedBySite({ callFrame: frame('(root)', 0) })).toEqual({ total: 0, sites: new Map() })
  })
})
