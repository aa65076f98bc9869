import { expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script without types
import { measure } from '../scripts/size.mjs'

// A size budget, not a timing: the whole browser client, all four transports, minified + gzipped. It was 8 KiB until
// credentials (issue 14: token, getToken refresh, cookies, refusals per channel) took about 0.7 KiB.
it('keeps the browser bundle at or under 9 KiB minified + gzipped, with no zod and no ws inside', async () => {
  const { gzipped, inputs } = (await measure()) as { gzipped: number; inputs: string[] }
  expect(gzipped).toBeLessThanOrEqual(9 * 1024)
  expect(inputs.filter((path) => /zod|[/\\]ws[/\\@]/.test(path))).toEqual([])
}, 60_000)
