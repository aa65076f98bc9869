import type { StepStats } from '../clients/tracker.js'
import { LatencyHistogram } from '../stats/histogram.js'

export interface MergedStats {
  readonly received: number
  readonly lost: number
  readonly gaps: number
  readonly duplicates: number
  readonly disconnected: number
  readonly resumed: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

/** Sums the workers' figures and merges their latency histograms into milliseconds. */
export function mergeStats(stats: readonly StepStats[]): MergedStats {
  const histogram = new LatencyHistogram()
  for (const s of stats) histogram.add(s.histogram)
  const ms = (x: number): number => Math.round(x * 100) / 100
  const empty = histogram.total === 0
  return {
    received: stats.reduce((sum, s) => sum + s.received, 0),
    lost: stats.reduce((sum, s) => sum + s.lost, 0),
    gaps: stats.reduce((sum, s) => sum + s.gaps, 0),
    duplicates: stats.reduce((sum, s) => sum + s.duplicates, 0),
    disconnected: stats.reduce((sum, s) => sum + s.disconnected, 0),
    resumed: stats.reduce((sum, s) => sum + s.resumed, 0),
    p50Ms: empty ? 0 : ms(histogram.percentileMs(50)),
    p99Ms: empty ? 0 : ms(histogram.percentileMs(99)),
    maxMs: empty ? 0 : ms(histogram.maxUs / 1000),
  }
}
