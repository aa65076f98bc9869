import { SYSTEM_SPECS, type SystemName } from '../systems.js'
import { startServer, startWorkers } from './processes.js'
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

/** One subscriber, 10 events/s: the latency of a quiet stream. */
export async function runSingle(system: SystemName, durationMs: number): Promise<SingleResult> {
  const server = await startServer(system)
  try {
    const { pool, ready } = await startWorkers(system, server.port, 1, 1)
    const publisher = new Publisher(server.port, SYSTEM_SPECS[system])
    try {
      if (ready.failed > 0) throw new Error(`subscriber failed: ${ready.error}`)
      // Warm-up, not reported: 200 events in a second, so that every server's publish and delivery path is
      // compiled (JIT) before the quiet stream is measured, as in a server that has been running for a while.
      const warm = await publisher.run(200, 1000)
      await pool.collect(warm.lastSeq, 2_000)
      const run = await publisher.run(10, durationMs)
      const stats = mergeStats(await pool.collect(run.lastSeq, 2_000))
      return { system, samples: stats.received, p50Ms: stats.p50Ms, p99Ms: stats.p99Ms, maxMs: stats.maxMs, lost: stats.lost }
    } finally {
      await publisher.close()
      await pool.stop()
    }
  } catch (caught) {
    const error = caught instanceof Error ? caught.message : String(caught)
    return { system, samples: 0, p50Ms: null, p99Ms: null, maxMs: null, lost: 0, error }
  } finally {
    await server.stop()
  }
}
