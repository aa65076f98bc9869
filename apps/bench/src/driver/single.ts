import { SYSTEM_SPECS, type SystemName } from '../systems.js'
import { type ServerProcess, startServer, startWorkers, type WorkerPool } from './processes.js'
import { Publisher } from './publisher.js'
import { mergeStats } from './step-stats.js'

export interface SingleResult {
  readonly system: SystemName
  readonly samples: number
  readonly p50Ms: number | null
  readonly p99Ms: number | null
  readonly maxMs: number | null
  readonly lost: number
  readonly error?: string
}

const RATE = 10

interface Running {
  readonly system: SystemName
  readonly server: ServerProcess
  readonly pool: WorkerPool
  readonly publisher: Publisher
}

/**
 * One subscriber per system, 10 events/s: the latency of a quiet stream. The systems of a group (a pushline
 * transport and its plain peer) run at the same time, their publishes interleaved (the k-th system of n publishes
 * k/n of a period after the first), so a ratio within a group compares two servers under the same machine weather
 * rather than two stretches of a noisy machine's time. At 10 events/s each the load is a few percent of a core.
 */
export async function runSingleGroup(systems: readonly SystemName[], durationMs: number): Promise<SingleResult[]> {
  const running: Running[] = []
  const results = new Map<SystemName, SingleResult>()
  const failure = (system: SystemName, caught: unknown): SingleResult => {
    const error = caught instanceof Error ? caught.message : String(caught)
    return { system, samples: 0, p50Ms: null, p99Ms: null, maxMs: null, lost: 0, error }
  }
  try {
    for (const system of systems) {
      try {
        running.push(await start(system))
      } catch (caught) {
        results.set(system, failure(system, caught))
      }
    }
    // Warm-up, not reported, one system after the other: 200 events in a second, so that every server's publish
    // and delivery path is compiled (JIT) before the quiet stream is measured, as in a server that has been running
    // for a while.
    for (const { publisher, pool } of running) {
      const warm = await publisher.run(200, 1000)
      await pool.collect(warm.lastSeq, 2_000)
    }
    const period = 1000 / RATE
    const runs = await Promise.all(
      running.map(async ({ publisher }, k) => {
        await new Promise((resolve) => setTimeout(resolve, (k * period) / running.length))
        return publisher.run(RATE, durationMs)
      }),
    )
    for (const [k, { system, pool }] of running.entries()) {
      const stats = mergeStats(await pool.collect(runs[k]!.lastSeq, 2_000))
      results.set(system, { system, samples: stats.received, p50Ms: stats.p50Ms, p99Ms: stats.p99Ms, maxMs: stats.maxMs, lost: stats.lost })
    }
    return systems.map((system) => results.get(system) ?? failure(system, 'not measured'))
  } catch (caught) {
    return systems.map((system) => failure(system, caught))
  } finally {
    for (const { server, pool, publisher } of running) {
      await publisher.close()
      await pool.stop()
      await server.stop()
    }
  }
}

async function start(system: SystemName): Promise<Running> {
  const server = await startServer(system)
  try {
    const { pool, ready } = await startWorkers(system, server.port, 1, 1)
    if (ready.failed > 0) {
      await pool.stop()
      throw new Error(`subscriber failed: ${ready.error}`)
    }
    return { system, server, pool, publisher: new Publisher(server.port, SYSTEM_SPECS[system]) }
  } catch (caught) {
    await server.stop()
    throw caught
  }
}
