import type { SystemSpec } from '../systems.js'
import { SYSTEM_SPECS } from '../systems.js'
import { interleaved, medianBy } from './interleave.js'
import { cpuSeconds } from './proc-stats.js'
import { type ServerProcess, startServerScript } from './processes.js'
import { Publisher } from './publisher.js'

/**
 * What one HTTP publish costs the server (issue 15: every fan-out over HTTP pays it once per event): the bench's
 * publisher POSTs at a fixed rate to a server with no subscribers, and the server's CPU over the window divided by
 * the POSTs is its cost per publish. Three servers: pushline (`POST /rt/publish`, 201 `{"cursor"}`), the plain
 * `node:http` long-poll peer (`POST /publish`, 204) and `fastify-floor` (a bare fastify route parsing the same JSON
 * body and answering a 201 with a cursor: what fastify itself costs). No subscriber, so nothing but the publish
 * path runs; the rate is far below every server's limit, so this is cost, not capacity.
 */
export const PUB_COST_SYSTEMS = ['pushline', 'longpoll-plain', 'fastify-floor'] as const
export type PubCostSystem = (typeof PUB_COST_SYSTEMS)[number]

const WARMUP_MS = 1_000

export interface PubCostRun {
  readonly system: PubCostSystem
  readonly publishes: number
  readonly serverUsPerPublish: number
  readonly serverCpuPct: number
  /** The publisher's own CPU (this process, which runs nothing else meanwhile), per publish. */
  readonly publisherUsPerPublish: number
  readonly error?: string
}

export interface PubCostResult {
  readonly rate: number
  readonly windowMs: number
  readonly runs: readonly PubCostRun[]
  /** Per system, the run with the median server CPU per publish. */
  readonly median: Partial<Record<PubCostSystem, PubCostRun>>
  /** pushline's median server CPU per publish over each other server's (above 1: pushline costs more). */
  readonly ratios: { readonly vsPlain: number | null; readonly vsFloor: number | null }
}

const FLOOR_SPEC: SystemSpec = {
  server: { script: 'fastify-floor.js', args: [] },
  publishPath: '/rt/publish',
  publishBody: SYSTEM_SPECS['pushline-longpoll'].publishBody,
}

function specOf(system: PubCostSystem): SystemSpec {
  if (system === 'pushline') return SYSTEM_SPECS['pushline-longpoll']
  if (system === 'longpoll-plain') return SYSTEM_SPECS['longpoll-plain']
  return FLOOR_SPEC
}

function ratio(a: PubCostRun | undefined, b: PubCostRun | undefined): number | null {
  return a && b && b.serverUsPerPublish > 0 ? Math.round((a.serverUsPerPublish / b.serverUsPerPublish) * 100) / 100 : null
}

async function measure(system: PubCostSystem, rate: number, windowMs: number, cpuProfDir: string | undefined): Promise<PubCostRun> {
  const empty = { system, publishes: 0, serverUsPerPublish: 0, serverCpuPct: 0, publisherUsPerPublish: 0 }
  const spec = specOf(system)
  let server: ServerProcess
  try {
    server = await startServerScript(system, spec.server, cpuProfDir ? { cpuProfDir } : {})
  } catch (error) {
    return { ...empty, error: error instanceof Error ? error.message : String(error) }
  }
  const publisher = new Publisher(server.port, spec)
  try {
    const warm = await publisher.run(rate, WARMUP_MS)
    if (warm.errors > 0) throw new Error(`warm-up: ${warm.errors} publishes failed (${warm.firstError ?? '?'})`)
    const [s0, c0, t0] = [cpuSeconds(server.pid), process.cpuUsage(), performance.now()]
    const run = await publisher.run(rate, windowMs)
    const seconds = (performance.now() - t0) / 1000
    const serverSeconds = cpuSeconds(server.pid) - s0
    const client = process.cpuUsage(c0)
    const n = run.sent
    return {
      system,
      publishes: n,
      serverUsPerPublish: n > 0 ? Math.round((serverSeconds * 1e6 * 10) / n) / 10 : 0,
      serverCpuPct: Math.round((serverSeconds / seconds) * 100),
      publisherUsPerPublish: n > 0 ? Math.round(((client.user + client.system) * 10) / n) / 10 : 0,
      ...(run.errors > 0 ? { error: `${run.errors} publishes failed (${run.firstError ?? '?'})` } : {}),
    }
  } catch (error) {
    return { ...empty, error: error instanceof Error ? error.message : String(error) }
  } finally {
    await publisher.close()
    await server.stop()
  }
}

/** `rounds` runs of each server, interleaved (`interleave.ts`). */
export async function runPubCost(options: {
  readonly rate: number
  readonly windowMs: number
  readonly rounds: number
  readonly cpuProfDir?: string
  readonly onRun?: (run: PubCostRun) => void
}): Promise<PubCostResult> {
  const runs = await interleaved(
    PUB_COST_SYSTEMS,
    options.rounds,
    (system) => measure(system, options.rate, options.windowMs, options.cpuProfDir),
    options.onRun,
  )
  const median = medianBy(runs, PUB_COST_SYSTEMS, (run) => run.serverUsPerPublish)
  const pushline = median.pushline
  return {
    rate: options.rate,
    windowMs: options.windowMs,
    runs,
    median,
    ratios: { vsPlain: ratio(pushline, median['longpoll-plain']), vsFloor: ratio(pushline, median['fastify-floor']) },
  }
}

export function formatPubCostRun(run: PubCostRun): string {
  if (run.error !== undefined && run.publishes === 0) return `  ${run.system.padEnd(16)} failed: ${run.error}`
  return `  ${run.system.padEnd(16)} ${String(run.serverUsPerPublish).padStart(6)} µs server CPU per publish (srv ${run.serverCpuPct}%)  publisher ${run.publisherUsPerPublish} µs  ${run.publishes.toLocaleString('en-US')} POSTs${run.error ? `  (${run.error})` : ''}`
}

export function printPubCost(result: PubCostResult): void {
  console.log(
    `\nHTTP publish cost: POST at ${result.rate.toLocaleString('en-US')}/s with no subscribers, ${result.windowMs / 1000} s windows, median of ${result.runs.length / PUB_COST_SYSTEMS.length} interleaved runs`,
  )
  for (const system of PUB_COST_SYSTEMS) {
    const run = result.median[system]
    console.log(run ? formatPubCostRun(run) : `  ${system.padEnd(16)} no run without an error`)
  }
  console.log(`  pushline / longpoll-plain ${result.ratios.vsPlain ?? 'n/a'}, / fastify-floor ${result.ratios.vsFloor ?? 'n/a'} (server CPU per publish)`)
}
