import type { SystemName } from '../systems.js'
import { SYSTEM_SPECS } from '../systems.js'
import { type ServerProcess, startServer, startWorkers, type WorkerPool } from './processes.js'
import { peakRssBytes } from './proc-stats.js'
import { inFlightOf, LocalPublisher, Publisher, type PublisherKind, type Publishing } from './publisher.js'
import type { StampMode } from '../servers/local-publisher.js'

/** What one ladder measures at a time: a server, its N subscribers in load workers, and a publisher. */
export interface Rig {
  readonly server: ServerProcess
  readonly pool: WorkerPool
  readonly publisher: Publishing
  /** Server RSS after GC with the N subscribers connected, before any step. */
  readonly connectedRssMb: number
}

export interface RigOptions {
  readonly n: number
  readonly workers: number
  readonly publisher: PublisherKind
  readonly stamp?: StampMode
  readonly cpuProfDir?: string
}

/**
 * Starts a server, connects N subscribers and opens the publisher. Throws when the server cannot start or a
 * subscriber cannot connect, with everything it started stopped again.
 */
export async function startRig(system: SystemName, options: RigOptions): Promise<Rig> {
  const server = await startServer(system, options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {})
  try {
    const { pool, ready } = await startWorkers(system, server.port, options.n, options.workers)
    if (ready.failed > 0) {
      await pool.stop()
      throw new Error(`${ready.failed} of ${options.n} subscribers failed: ${ready.error}`)
    }
    const connectedRssMb = mb(await server.memory())
    const publisher: Publishing =
      options.publisher === 'local'
        ? new LocalPublisher(server, options.stamp)
        : new Publisher(server.port, SYSTEM_SPECS[system], inFlightOf(options.publisher))
    return { server, pool, publisher, connectedRssMb }
  } catch (error) {
    await server.stop()
    throw error
  }
}

/** Stops the rig; resolves with its server's peak RSS in MB (read before the server exits). */
export async function stopRig(rig: Rig): Promise<number> {
  await rig.publisher.close()
  await rig.pool.stop()
  const peakMb = mb(Math.max(0, ...rig.server.workPids.map(peakRssBytes)))
  await rig.server.stop()
  return peakMb
}

const mb = (bytes: number): number => Math.round(bytes / 1024 / 102.4) / 10
