import { expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script without types
import { measure } from '../scripts/size.mjs'

// A size budget, not a timing: the whole browser client, all four transports, minified + gzipped.
it('keeps the browser bundle at or under 8 KiB minified + gzipped, with no zod and no ws inside', async () => {
  const { gzipped, inputs } = (await measure()) as { gzipped: number; inputs: string[] }
  expect(gzipped).toBeLessThanOrEqual(8 * 1024)
  expect(inputs.filter((path) => /zod|[/\\]ws[/\\@]/.test(path))).toEqual([])
}, 60_000)
