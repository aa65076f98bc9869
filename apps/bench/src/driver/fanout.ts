import type { SystemName } from '../systems.js'
import type { PublisherKind } from './publisher.js'
import { type Rig, type RigOptions, startRig, stopRig } from './rig.js'
import { RigKeeper } from './rig-keeper.js'
import type { StampMode } from '../servers/local-publisher.js'
import { measureStep, P99_LIMIT_MS } from './step.js'
import type { StepTurns } from './turns.js'

export interface FanoutStep {
  /** Target publish rate, events/s. */
  readonly rate: number
  readonly publishRate: number
  readonly deliveriesPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  /** Events missing when the drain ended: `gaps` (skipped for good) plus late ones. */
  readonly lost: number
  readonly gaps: number
  /** Subscriptions not connected when the step was collected. */
  readonly disconnected: number
  readonly duplicates: number
  /** Subscribers that were dropped and resumed from their cursor (pushline's load clients reconnect, as its client does). */
  readonly resumed: number
  /** Slow consumers the server dropped over the step (pushline; 0 for peers). */
  readonly slowConsumerDrops: number
  readonly serverCpuPct: number
  readonly clientCpuPct: number
  readonly publisherCpuPct: number
  /** Which side was at its CPU limit over the step (see step.ts). */
  readonly bound: 'server' | 'clients' | 'neither'
  /** The machine's 1-minute load average when the step ended. */
  readonly loadAvg: number
  readonly ok: boolean
  /** Failed on p99 alone: nothing lost or dropped, the rate published, no publish error. */
  readonly latencyOnly: boolean
  /** Why the step is not sustainable. */
  readonly reason?: string
}

export interface FanoutResult {
  readonly system: SystemName
  readonly n: number
  readonly publisher: PublisherKind
  readonly steps: readonly FanoutStep[]
  /** The highest sustainable step, if any. */
  readonly best: FanoutStep | null
  readonly serverPeakRssMb: number
  /** Server RSS after GC with the N subscribers connected, before any step. */
  readonly connectedRssMb: number
  readonly error?: string
}

export interface FanoutOptions {
  readonly n: number
  /** Explicit rates (events/s), run in order up to the first failure; otherwise `search` finds the limit. */
  readonly rates?: readonly number[]
  /** With `rates`: run every one of them even after a failed step (CPU per delivery at fixed rates, A/B runs). */
  readonly allRates?: boolean
  readonly search: RateSearch
  readonly stepMs: number
  readonly workers: number
  readonly publisher: PublisherKind
  /** The in-process publisher's stamps (servers/local-publisher.ts); default `due`. */
  readonly stamp?: StampMode
  /** Run a failed latency step once more, up to twice per ladder (a noisy neighbour should not end a ladder). */
  readonly retry: boolean
  /** Rates tried per ladder (confirming runs of a failed step not counted). */
  readonly maxSteps?: number
  /**
   * Count `maxSteps` from the first failed step: the passing steps before it (the search doubling up from a guess
   * that was too low) are free, bounded by the search range. For the N after the first, whose guess is scaled from
   * the first N's result: long-poll's edge does not scale with N (a poll's latency is one round through all pollers).
   */
  readonly budgetFromFirstFailure?: boolean
  readonly cpuProfDir?: string
  /**
   * Shared with the other systems of a comparison run side by side: set-up, each step and tear-down wait for their
   * turn, so only one system is measured (or connects, or stops) at a time (turns.ts).
   */
  readonly turns?: StepTurns
  readonly onStep?: (step: FanoutStep) => void
}

/** The search from `start` events/s at N subscribers, within the range every ladder uses (5 k to 20 M deliveries/s). */
export function searchFrom(start: number, n: number): RateSearch {
  return { start, min: Math.max(1, 5_000 / n), max: 20_000_000 / n }
}

/**
 * Where the search at `n` subscribers starts, from a rate sustained at `fromN`. Below `fromN` the deliveries/s are
 * about the same, so the rate scales by fromN / n. Above it they fall: every event is one write per subscriber, and
 * a round through all of them is a step's latency. At N = 10,000 pushline's WebSocket failed p99 at 13 ev/s (210-380
 * ms, server at 71-92 % of a core, load client at 63-92 %; 2026-12-07), where the deliveries/s scaling started the
 * ladders at ~440 ev/s and four failed steps ended them at 54, above the 11-12 ev/s where the plain peers had passed
 * on 2026-12-04. So above `fromN` the rate scales by (fromN / n)^2 and every ladder reaches the low rates.
 */
export function scaledStart(rate: number, fromN: number, n: number): number {
  return n <= fromN ? (rate * fromN) / n : (rate * fromN * fromN) / (n * n)
}

/** A search for the highest sustainable rate on the shared grid (`gridRate`): from `start`, x2 up (or /2 down) to the edge, then bisection. */
export interface RateSearch {
  readonly start: number
  readonly min: number
  readonly max: number
}

/** Near misses re-run once each, per ladder. */
const MAX_RETRIES = 2

/**
 * A failure that noise could explain, worth a second run: p99 over the limit but under 4x it, nothing lost, nobody
 * dropped and the rate published. One far over the limit, or that the server could not take at that rate, is not
 * retried: the retries are kept for the edge, where the bisection needs them.
 */
export function nearMiss(step: FanoutStep): boolean {
  return !step.ok && step.latencyOnly && step.p99Ms < 4 * P99_LIMIT_MS
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Fan-out: N subscribers in load workers, a publisher (in the server process, or over HTTP) stepping the rate; a
 * step is sustainable when p99 publish-to-receive latency stays under 100 ms, nothing is lost, and the target rate
 * was actually published. Every step is bounded in time; the ladder in steps. The step after a failed one runs on a
 * fresh server with fresh subscribers (RigKeeper).
 */
export async function runFanout(system: SystemName, options: FanoutOptions): Promise<FanoutResult> {
  const turn = <T>(work: () => Promise<T>): Promise<T> => (options.turns ? options.turns.run(work) : work())
  const steps: FanoutStep[] = []
  let error: string | undefined
  let serverPeakRssMb = 0
  const rigOptions: RigOptions = {
    n: options.n,
    workers: options.workers,
    publisher: options.publisher,
    ...(options.stamp ? { stamp: options.stamp } : {}),
    ...(options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {}),
  }
  const first = options.rates?.[0] ?? options.search.start
  const measureOn = (rig: Rig, rate: number, durationMs: number): Promise<FanoutStep> =>
    turn(() =>
      measureStep(
        { publisher: rig.publisher, pools: [rig.pool], serverPids: rig.server.workPids, counters: () => rig.server.counters() },
        rate,
        durationMs,
      ),
    )
  const rigs = new RigKeeper<Rig, FanoutStep>({
    start: async () => {
      const rig = await turn(() => startRig(system, rigOptions))
      // Warm-up (not reported): JIT, lazily created buffers, the first-connection costs.
      await measureOn(rig, Math.max(1, Math.round(first / 4)), Math.min(1_000, options.stepMs))
      return rig
    },
    stop: async (rig) => {
      serverPeakRssMb = Math.max(serverPeakRssMb, await turn(() => stopRig(rig)))
    },
    measure: (rig, rate) => measureOn(rig, rate, options.stepMs),
  })
  let connectedRssMb = 0
  try {
    connectedRssMb = (await rigs.current()).connectedRssMb
    const maxSteps = options.maxSteps ?? 12
    // Rates tried (the budget), and latency failures confirmed: a noisy minute on a shared VM should not decide a
    // ladder, and the ladder must stay short on a loaded machine where every step fails on latency.
    let tried = 0
    let retries = 0
    let failed = false
    const measure = async (rate: number): Promise<FanoutStep> => {
      const step = await rigs.measure(rate)
      steps.push(step)
      options.onStep?.(step)
      return step
    }
    const runStep = async (rate: number): Promise<FanoutStep> => {
      let step = await measure(rate)
      failed ||= !step.ok
      if (failed || !options.budgetFromFirstFailure) tried += 1
      if (options.retry && retries < MAX_RETRIES && nearMiss(step)) {
        retries += 1
        // Confirm a latency failure once (a loss is never retried away).
        step = await measure(rate)
      }
      await pause(300)
      return step
    }
    if (options.rates) {
      for (const rate of options.rates) {
        if (tried >= maxSteps || (!(await runStep(rate)).ok && !options.allRates)) break
      }
    } else {
      await search(options.search, runStep, () => tried < maxSteps)
    }
  } catch (caught) {
    // A server that cannot start (Nchan without its nginx module) is this system's error, not the run's end.
    error = caught instanceof Error ? caught.message : String(caught)
  }
  await rigs.close()
  const sustainable = steps.filter((s) => s.ok).sort((a, b) => b.rate - a.rate)
  return {
    system,
    n: options.n,
    publisher: options.publisher,
    steps,
    best: sustainable[0] ?? null,
    serverPeakRssMb,
    connectedRssMb,
    ...(error === undefined ? {} : { error }),
  }
}

/**
 * The rates every search steps on: 1,000 x 2^(i/8) events/s, about 9 % apart. Every system's ladder lands on the same
 * rates, whatever its starting guess, so two systems of one run compare rate for rate, to within one grid step.
 */
export const GRID_PER_DOUBLING = 8

export const gridRate = (index: number): number => Math.round(1000 * 2 ** (index / GRID_PER_DOUBLING))
export const gridIndex = (rate: number): number => Math.round(GRID_PER_DOUBLING * Math.log2(rate / 1000))

/**
 * Doubles from `start` while steps pass (halves while they fail) until one step passed and one failed, then
 * bisects between the highest pass and the lowest failure on the grid down to one grid step: the limit to within
 * ~9 % in the doubling steps plus three.
 */
export async function search(
  range: RateSearch,
  runStep: (rate: number) => Promise<FanoutStep>,
  mayContinue: () => boolean,
): Promise<void> {
  const lowest = Math.ceil(GRID_PER_DOUBLING * Math.log2(range.min / 1000))
  const highest = Math.floor(GRID_PER_DOUBLING * Math.log2(range.max / 1000))
  let index = Math.min(Math.max(gridIndex(range.start), lowest), highest)
  let passed = Number.NEGATIVE_INFINITY
  let failed = Number.POSITIVE_INFINITY
  // Bounded by mayContinue (a step budget) and by the range.
  while (mayContinue()) {
    const ok = (await runStep(gridRate(index))).ok
    if (ok) passed = index
    else failed = index
    if (failed !== Number.POSITIVE_INFINITY && passed !== Number.NEGATIVE_INFINITY) break
    index += ok ? GRID_PER_DOUBLING : -GRID_PER_DOUBLING
    if (index > highest || index < lowest) return
  }
  // passed < failed always: a bisection step lies strictly between them and moves one of them.
  while (failed - passed > 1 && mayContinue()) {
    const mid = Math.floor((passed + failed) / 2)
    if ((await runStep(gridRate(mid))).ok) passed = mid
    else failed = mid
  }
}
