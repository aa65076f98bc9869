import { basename } from 'node:path'
import { constants, PerformanceObserver } from 'node:perf_hooks'

/**
 * A probe for one server process (`BENCH_SERVER_NODE_ARGS=--import=<dist>/probes/gc-observer.js`): every 5 s, the
 * collector's pauses by kind (count, total ms, longest) to stderr. Minor collections copy what the young generation
 * still holds; major ones mark the whole heap and pause the loop for every request waiting on it (the p99 of a step).
 */
const KINDS = new Map<number, string>([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weak callbacks'],
])
const WINDOW_MS = 5000

interface Pauses {
  count: number
  ms: number
  maxMs: number
}

function kindOf(detail: unknown): string {
  const kind = typeof detail === 'object' && detail !== null && 'kind' in detail ? detail.kind : undefined
  return (typeof kind === 'number' ? KINDS.get(kind) : undefined) ?? 'other'
}

let window = new Map<string, Pauses>()
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    // `detail` is missing from this @types/node's PerformanceEntry; node 20 sets it on gc entries.
    const kind = kindOf(Reflect.get(entry, 'detail'))
    const pauses = window.get(kind) ?? { count: 0, ms: 0, maxMs: 0 }
    pauses.count++
    pauses.ms += entry.duration
    pauses.maxMs = Math.max(pauses.maxMs, entry.duration)
    window.set(kind, pauses)
  }
}).observe({ entryTypes: ['gc'] })

setInterval(() => {
  const line = [...window].map(([kind, p]) => `${kind} ${p.count}x ${p.ms.toFixed(0)} ms (longest ${p.maxMs.toFixed(1)})`)
  process.stderr.write(`[gc ${basename(process.argv[1] ?? '')}, ${WINDOW_MS / 1000} s] ${line.join(', ') || 'none'}\n`)
  window = new Map()
}, WINDOW_MS).unref()
