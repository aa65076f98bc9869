import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { MemoryLog } from '@pushline/core'

const EVENTS = 100_000
const PAD = 'x'.repeat(70)

/** A full collection: the bench runs without `--expose-gc`, so it is exposed for this one measurement. */
function collector(): () => void {
  setFlagsFromString('--expose-gc')
  const gc: unknown = runInNewContext('gc')
  if (typeof gc !== 'function') throw new Error('gc is not available')
  return () => void gc()
}

/**
 * Heap kept per retained event: 100,000 appends of ~100-byte payloads parsed from JSON text (as an HTTP publish
 * delivers them), heap used after a full collection before and after, divided by the events. What a log at its
 * default retention holds in memory, and what every major collection marks.
 */
export async function retainedBytesPerEvent(): Promise<number> {
  const gc = collector()
  const log = new MemoryLog({ maxCount: EVENTS * 2 })
  gc()
  const before = process.memoryUsage().heapUsed
  for (let i = 0; i < EVENTS; i++) await log.append('bench', JSON.parse(`{"m":"#${i}@${1_700_000_000_000_000 + i}#","p":"${PAD}"}`))
  gc()
  const bytes = (process.memoryUsage().heapUsed - before) / EVENTS
  await log.close()
  return Math.round(bytes)
}
