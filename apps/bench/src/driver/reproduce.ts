import { START_RATE, type SystemName } from '../systems.js'
import { type FanoutResult, type FanoutStep, gridIndex, runFanout, searchFrom } from './fanout.js'
import type { StampMode } from '../servers/local-publisher.js'
import type { PublisherKind } from './publisher.js'

/**
 * The harness checked against itself (issue 15): each system's whole fan-out ladder run several times, each time on
 * a fresh server and fresh subscribers, searching from the same start, and the highest sustained rates compared.
 * The runs of the systems are interleaved (A, B, C, A, B, C, ...), so the runs of one system are minutes apart and
 * see the machine's drift, not one quiet minute.
 */
export interface ReproduceOptions {
  readonly n: number
  readonly publisher: PublisherKind
  readonly stamp?: StampMode
  readonly repeats: number
  readonly stepMs: number
  readonly workers: number
  readonly maxSteps: number
  readonly onStep?: (system: SystemName, step: FanoutStep) => void
}

export interface ReproduceResult {
  readonly system: SystemName
  readonly n: number
  readonly publisher: PublisherKind
  /** Each run's highest sustained rate (events/s), null when a run sustained no step. */
  readonly rates: readonly (number | null)[]
  /** Grid steps (~9 % each) between the lowest and the highest run; null when a run sustained nothing or failed. */
  readonly spreadSteps: number | null
  /** The runs agree within one grid step. */
  readonly reproduces: boolean
  readonly errors: readonly string[]
}

/** How far apart a system's runs landed, in steps of the shared rate grid. */
export function spreadOf(rates: readonly (number | null)[]): { spreadSteps: number | null; reproduces: boolean } {
  if (rates.length < 2 || rates.some((rate) => rate === null)) return { spreadSteps: null, reproduces: false }
  const indices = rates.map((rate) => gridIndex(rate ?? 0))
  const spreadSteps = Math.max(...indices) - Math.min(...indices)
  return { spreadSteps, reproduces: spreadSteps <= 1 }
}

export async function runReproduce(systems: readonly SystemName[], options: ReproduceOptions): Promise<ReproduceResult[]> {
  const runs = new Map<SystemName, FanoutResult[]>(systems.map((system) => [system, []]))
  for (let round = 0; round < options.repeats; round++) {
    for (const system of systems) {
      const result = await runFanout(system, {
        n: options.n,
        search: searchFrom((START_RATE[system] * 1000) / options.n, options.n),
        stepMs: options.stepMs,
        workers: options.workers,
        publisher: options.publisher,
        ...(options.stamp ? { stamp: options.stamp } : {}),
        retry: true,
        maxSteps: options.maxSteps,
        onStep: (step) => options.onStep?.(system, step),
      })
      runs.get(system)?.push(result)
    }
  }
  return systems.map((system) => {
    const results = runs.get(system) ?? []
    const rates = results.map((result) => (result.error ? null : (result.best?.rate ?? null)))
    return {
      system,
      n: options.n,
      publisher: options.publisher,
      rates,
      ...spreadOf(rates),
      errors: results.flatMap((result) => (result.error ? [result.error] : [])),
    }
  })
}

/** The table: each run's highest sustained rate, the spread in grid steps and the verdict. */
export function printReproduce(results: readonly ReproduceResult[]): void {
  const first = results[0]
  if (!first) return
  const lines = [
    '',
    `Reproducibility: each ladder run ${first.rates.length} times, interleaved, N=${first.n.toLocaleString('en-US')}, publisher ${first.publisher} — highest sustained events/s per run, spread in grid steps (~9 % each)`,
  ]
  for (const r of results) {
    const runs = r.rates.map((rate) => (rate === null ? 'none' : rate.toLocaleString('en-US'))).join(', ')
    const verdict = r.reproduces ? 'within one step' : r.spreadSteps === null ? 'not comparable (a run sustained nothing)' : 'NOT within one step'
    lines.push(`  ${r.system.padEnd(22)}${runs.padEnd(30)}spread ${r.spreadSteps ?? '-'}  ${verdict}${r.errors.length > 0 ? `  (${r.errors[0]})` : ''}`)
  }
  console.log(lines.join('\n'))
}
