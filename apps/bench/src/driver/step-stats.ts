import { decodeFromCompressedBase64 } from 'hdr-histogram-js'
import { newHistogram, type StepStats } from '../clients/tracker.js'

export interface MergedStats {
  readonly received: number
  readonly lost: number
  readonly duplicates: number
  readonly disconnected: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

/** Sums the workers' figures and merges their latency histograms (µs) into milliseconds. */
export function mergeStats(stats: readonly StepStats[]): MergedStats {
  const histogram = newHistogram()
  for (const s of stats) histogram.add(decodeFromCompressedBase64(s.histogram))
  const ms = (us: number): number => Math.round(us / 10) / 100
  const empty = histogram.totalCount === 0
  return {
    received: stats.reduce((sum, s) => sum + s.received, 0),
    lost: stats.reduce((sum, s) => sum + s.lost, 0),
    duplicates: stats.reduce((sum, s) => sum + s.duplicates, 0),
    disconnected: stats.reduce((sum, s) => sum + s.disconnected, 0),
    p50Ms: empty ? 0 : ms(histogram.getValueAtPercentile(50)),
    p99Ms: empty ? 0 : ms(histogram.getValueAtPercentile(99)),
    maxMs: empty ? 0 : ms(histogram.maxValue),
  }
}
