import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { basename, join } from 'node:path'

/**
 * A probe for one server process (`BENCH_SERVER_NODE_ARGS=--import=<dist>/probes/promoted.js`): V8's sampling heap
 * profiler over a window of the run, counting only what outlived the young generation (objects still alive at the
 * end, or collected by a MAJOR collection; what minor collections freed is left out). That is what the old
 * generation had to take and a major collection had to mark: the allocation sites behind the major pauses.
 * `BENCH_PROMOTED_DIR` (default /tmp), `BENCH_PROMOTED_FROM_MS` (default 8,000 after start), `BENCH_PROMOTED_MS`
 * (default 12,000). Writes `<dir>/<script>-<time>.heapprofile` (Chrome DevTools' format) and says so on stderr.
 */
const dir = process.env.BENCH_PROMOTED_DIR ?? '/tmp'
const fromMs = Number(process.env.BENCH_PROMOTED_FROM_MS) || 8000
const forMs = Number(process.env.BENCH_PROMOTED_MS) || 12_000
const SAMPLING_BYTES = 16_384

const session = new Session()
session.connect()
function post(method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  )
}

async function sample(): Promise<void> {
  await post('HeapProfiler.enable')
  await post('HeapProfiler.startSampling', {
    samplingInterval: SAMPLING_BYTES,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: false,
  })
  await new Promise((resolve) => setTimeout(resolve, forMs).unref())
  const result = await post('HeapProfiler.stopSampling')
  const profile = typeof result === 'object' && result !== null && 'profile' in result ? result.profile : undefined
  const file = join(dir, `${basename(process.argv[1] ?? 'server')}-${Date.now()}.heapprofile`)
  writeFileSync(file, JSON.stringify(profile))
  process.stderr.write(`[promoted] ${file}\n`)
}

setTimeout(() => {
  sample().catch((error: unknown) => process.stderr.write(`[promoted] failed: ${String(error)}\n`))
}, fromMs).unref()
