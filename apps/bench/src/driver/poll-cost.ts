import { HttpConn } from '../clients/raw-http.js'
import { interleaved, medianBy } from './interleave.js'
import { cpuSeconds } from './proc-stats.js'
import { type ServerProcess, startServer, startServerScript } from './processes.js'
import { boundOf } from './step.js'

/**
 * The long-poll hot path (issue 15): `pollers` keep-alive connections re-poll ONE position behind which
 * `EVENTS` events wait, each poll sent as soon as the last answer ended, so every poll is answered at once with
 * the same shared answer. With the server at its limit, answers/s is the inverse of its CPU per answer: what sets
 * the round of N long-pollers (a poll's latency under load is about one round), free of the rate ladder's pass
 * line. Three servers: pushline, the plain `node:http` peer, and `fastify-floor` (fastify answering one shared
 * Buffer with pushline's bytes and headers: what fastify itself allows).
 */
export const POLL_COST_SYSTEMS = ['pushline-longpoll', 'longpoll-plain', 'fastify-floor'] as const
export type PollCostSystem = (typeof POLL_COST_SYSTEMS)[number]

const EVENTS = 10
const WARMUP_MS = 1_500

export interface PollCostRun {
  readonly system: PollCostSystem
  readonly answersPerSec: number
  readonly serverCpuPct: number
  readonly serverUsPerAnswer: number
  /** The load client's CPU (this process, which runs nothing else meanwhile). */
  readonly clientCpuPct: number
  readonly bodyBytes: number
  readonly bound: 'server' | 'clients' | 'neither'
  readonly error?: string
}

export interface PollCostResult {
  readonly pollers: number
  readonly events: number
  readonly windowMs: number
  readonly runs: readonly PollCostRun[]
  /** Per system, the run with the median answers/s. */
  readonly median: Partial<Record<PollCostSystem, PollCostRun>>
  /** pushline's median answers/s over each other server's. */
  readonly ratios: { readonly vsPlain: number | null; readonly vsFloor: number | null }
}

interface Target {
  readonly server: ServerProcess
  readonly first: string
  path(cursor: string): string
  cursorOf(body: string): string | undefined
}

async function start(system: PollCostSystem, cpuProfDir: string | undefined): Promise<Target> {
  const options = cpuProfDir ? { cpuProfDir } : {}
  if (system === 'longpoll-plain') {
    return {
      server: await startServer(system, options),
      first: '/poll',
      path: (cursor) => `/poll?cursor=${cursor}`,
      cursorOf: (body) => /"cursor":(\d+)\}$/.exec(body)?.[1],
    }
  }
  const server =
    system === 'fastify-floor'
      ? await startServerScript(system, { script: 'fastify-floor.js', args: [] }, options)
      : await startServer(system, options)
  return {
    server,
    first: '/rt/poll?channel=bench',
    path: (cursor) => `/rt/poll?channel=bench&format=runs&cursor=${encodeURIComponent(cursor)}`,
    cursorOf: (body) => /"cursor":"([^"]+)"\}$/.exec(body)?.[1],
  }
}

/** The run of the median answers/s of each system. */
export function medianRuns(runs: readonly PollCostRun[]): Partial<Record<PollCostSystem, PollCostRun>> {
  return medianBy(runs, POLL_COST_SYSTEMS, (run) => run.answersPerSec)
}

function ratio(a: PollCostRun | undefined, b: PollCostRun | undefined): number | null {
  return a && b && b.answersPerSec > 0 ? Math.round((a.answersPerSec / b.answersPerSec) * 100) / 100 : null
}

async function measure(system: PollCostSystem, pollers: number, windowMs: number, cpuProfDir: string | undefined): Promise<PollCostRun> {
  const empty = { system, answersPerSec: 0, serverCpuPct: 0, serverUsPerAnswer: 0, clientCpuPct: 0, bodyBytes: 0, bound: 'neither' as const }
  let target: Target
  try {
    target = await start(system, cpuProfDir)
  } catch (error) {
    // A server that cannot start is this run's error, not the bench's end (as in fan-out and idle).
    return { ...empty, error: error instanceof Error ? error.message : String(error) }
  }
  const conns: HttpConn[] = []
  let running = true
  try {
    const probe = await HttpConn.open(target.server.port)
    conns.push(probe)
    const head = target.cursorOf((await probe.fetch('GET', target.first)).body.toString('latin1'))
    if (head === undefined) throw new Error('no cursor in the first answer')
    await target.server.publish({ type: 'publish', rate: EVENTS * 100, durationMs: 10, fromSeq: 1 })
    const path = target.path(head)
    const check = (await probe.fetch('GET', path)).body.toString('latin1')
    const markers = check.match(/"m":"#/g)?.length ?? 0
    if (markers !== EVENTS) throw new Error(`the answer at the position holds ${markers} events, not ${EVENTS}`)
    let answers = 0
    let bytes = 0
    let failures = 0
    for (let i = 0; i < pollers; i++) {
      const conn = await HttpConn.open(target.server.port)
      conns.push(conn)
      const loop = (): void => {
        if (!running) return
        conn.request('GET', path, {
          onBody: (_buf, start, end) => {
            bytes += end - start
          },
          onEnd: (status) => {
            answers++
            if (status !== 200) failures++
            loop()
          },
          onError: () => {
            failures++
          },
        })
      }
      loop()
    }
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS))
    const [a0, b0, s0, c0, t0] = [answers, bytes, cpuSeconds(target.server.pid), process.cpuUsage(), performance.now()]
    await new Promise((resolve) => setTimeout(resolve, windowMs))
    const seconds = (performance.now() - t0) / 1000
    const n = answers - a0
    const client = process.cpuUsage(c0)
    const serverCpuPct = Math.round(((cpuSeconds(target.server.pid) - s0) / seconds) * 100)
    const clientCpuPct = Math.round(((client.user + client.system) / 1e6 / seconds) * 100)
    return {
      system,
      answersPerSec: Math.round(n / seconds),
      serverCpuPct,
      serverUsPerAnswer: n > 0 ? Math.round((((cpuSeconds(target.server.pid) - s0) * 1e6) / n) * 10) / 10 : 0,
      clientCpuPct,
      bodyBytes: n > 0 ? Math.round((bytes - b0) / n) : 0,
      bound: boundOf(serverCpuPct, clientCpuPct),
      ...(failures > 0 ? { error: `${failures} polls failed or were not 200` } : {}),
    }
  } catch (error) {
    return { ...empty, error: error instanceof Error ? error.message : String(error) }
  } finally {
    running = false
    for (const conn of conns) conn.close()
    await target.server.stop()
  }
}

/** `rounds` runs of each server, interleaved (`interleave.ts`). */
export async function runPollCost(options: {
  readonly pollers: number
  readonly windowMs: number
  readonly rounds: number
  readonly cpuProfDir?: string
  readonly onRun?: (run: PollCostRun) => void
}): Promise<PollCostResult> {
  const runs = await interleaved(
    POLL_COST_SYSTEMS,
    options.rounds,
    (system) => measure(system, options.pollers, options.windowMs, options.cpuProfDir),
    options.onRun,
  )
  const median = medianRuns(runs)
  const pushline = median['pushline-longpoll']
  return {
    pollers: options.pollers,
    events: EVENTS,
    windowMs: options.windowMs,
    runs,
    median,
    ratios: { vsPlain: ratio(pushline, median['longpoll-plain']), vsFloor: ratio(pushline, median['fastify-floor']) },
  }
}

export function formatPollCostRun(run: PollCostRun): string {
  if (run.error !== undefined && run.answersPerSec === 0) return `  ${run.system.padEnd(18)} failed: ${run.error}`
  return `  ${run.system.padEnd(18)} ${run.answersPerSec.toLocaleString('en-US').padStart(7)} answers/s  ${String(run.serverUsPerAnswer).padStart(6)} µs server CPU per answer  srv ${run.serverCpuPct}% cli ${run.clientCpuPct}% bound ${run.bound}  body ${run.bodyBytes} B${run.error ? `  (${run.error})` : ''}`
}

export function printPollCost(result: PollCostResult): void {
  console.log(
    `\nLong-poll hot path: ${result.pollers} pollers re-polling one position with ${result.events} events waiting, ${result.windowMs / 1000} s windows, median of ${result.runs.length / POLL_COST_SYSTEMS.length} interleaved runs`,
  )
  for (const system of POLL_COST_SYSTEMS) {
    const run = result.median[system]
    console.log(run ? formatPollCostRun(run) : `  ${system.padEnd(18)} no run without an error`)
  }
  console.log(`  pushline-longpoll / longpoll-plain ${result.ratios.vsPlain ?? 'n/a'}, / fastify-floor ${result.ratios.vsFloor ?? 'n/a'} (answers/s)`)
}
