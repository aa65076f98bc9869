import { SYSTEM_SPECS, type SystemName } from '../systems.js'
import { type ServerProcess, startServer, startWorkers } from './processes.js'
import { Publisher } from './publisher.js'

export interface IdleResult {
  readonly system: SystemName
  readonly connections: number
  readonly kbPerConn: number | null
  readonly baselineRssMb: number
  readonly loadedRssMb: number
  readonly error?: string
}

/**
 * Idle cost: the server's RSS after garbage collection with N idle subscribers, minus its RSS (also after GC)
 * once a few subscribers have come, received and gone (so that lazily loaded code and buffers are in the
 * baseline), divided by N.
 */
export async function runIdle(system: SystemName, n: number, workers: number): Promise<IdleResult> {
  const mb = (bytes: number): number => Math.round(bytes / 1024 / 102.4) / 10
  let baseline = 0
  let loaded = 0
  let server: ServerProcess
  try {
    server = await startServer(system)
  } catch (caught) {
    // A server that cannot start is this system's error, not the run's end.
    return { system, connections: 0, kbPerConn: null, baselineRssMb: 0, loadedRssMb: 0, error: caught instanceof Error ? caught.message : String(caught) }
  }
  try {
    const warm = await startWorkers(system, server.port, 10, 1)
    const publisher = new Publisher(server.port, SYSTEM_SPECS[system])
    const sent = await publisher.run(20, 500)
    await warm.pool.collect(sent.lastSeq, 2_000)
    await warm.pool.stop()
    await publisher.close()
    await new Promise((resolve) => setTimeout(resolve, 300))
    baseline = await server.memory()
    const { pool, ready } = await startWorkers(system, server.port, n, workers)
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      loaded = await server.memory()
      if (ready.connected === 0) throw new Error(`no subscriber connected: ${ready.error}`)
      return {
        system,
        connections: ready.connected,
        kbPerConn: Math.round(((loaded - baseline) / ready.connected / 1024) * 10) / 10,
        baselineRssMb: mb(baseline),
        loadedRssMb: mb(loaded),
        ...(ready.failed > 0 ? { error: `${ready.failed} subscribers failed: ${ready.error}` } : {}),
      }
    } finally {
      await pool.stop()
    }
  } catch (caught) {
    const error = caught instanceof Error ? caught.message : String(caught)
    return { system, connections: 0, kbPerConn: null, baselineRssMb: mb(baseline), loadedRssMb: mb(loaded), error }
  } finally {
    await server.stop()
  }
}
