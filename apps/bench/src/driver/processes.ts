import { type ChildProcess, fork } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { StepStats } from '../clients/tracker.js'
import type { WorkerCommand } from '../clients/worker.js'
import type { LocalPublishCommand, LocalPublishRun } from '../servers/local-publisher.js'
import { SYSTEM_SPECS, type SystemName } from '../systems.js'

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..')

/** One child process with a bounded wait for each IPC answer. */
function nextMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`no '${type}' from pid ${child.pid} within ${timeoutMs} ms`))
    }, timeoutMs)
    const onMessage = (message: { type: string }): void => {
      if (message.type !== type) return
      cleanup()
      resolve(message as T)
    }
    const onExit = (code: number | null): void => {
      cleanup()
      reject(new Error(`pid ${child.pid} exited (${code}) while waiting for '${type}'`))
    }
    const cleanup = (): void => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  if (child.connected) child.send({ type: 'exit' })
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

export interface ServerProcess {
  readonly port: number
  readonly pid: number
  /** The processes that do the server's work (the script itself, or the nginx worker it started). */
  readonly workPids: readonly number[]
  /** RSS after the server collected garbage. */
  memory(): Promise<number>
  /** The server's own counters (pushline: slowConsumerDrops, connections); {} for peers, or when it cannot say. */
  counters(): Promise<Record<string, number>>
  /** Runs the server's in-process publisher (see servers/local-publisher.ts). */
  publish(command: LocalPublishCommand): Promise<LocalPublishRun>
  stop(): Promise<void>
}

export interface ServerOptions {
  /** Directory for a V8 CPU profile of the server (`--cpu-prof`); none when undefined. */
  readonly cpuProfDir?: string
  /** Extra environment of the server process (e.g. BENCH_LONGPOLL_CACHE_SEC for pushline). */
  readonly env?: Readonly<Record<string, string>>
}

export function startServer(system: SystemName, options: ServerOptions = {}): Promise<ServerProcess> {
  return startServerScript(system, SYSTEM_SPECS[system].server, options)
}

/** A server script in dist/servers/ that is not one of the systems (the poll-cost area's fastify floor), or one. */
export async function startServerScript(
  system: string,
  spec: { readonly script: string; readonly args: readonly string[] },
  options: ServerOptions = {},
): Promise<ServerProcess> {
  // BENCH_SERVER_NODE_ARGS: node flags for every server process of the run, space-separated (a probe of probes/,
  // `--import=apps/bench/dist/probes/gc-observer.js`; or a V8 flag, for an A/B run).
  const execArgv = ['--expose-gc', ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)]
  if (options.cpuProfDir) {
    mkdirSync(options.cpuProfDir, { recursive: true })
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, `--cpu-prof-name=${system}-${Date.now()}.cpuprofile`)
  }
  const child = fork(join(DIST, 'servers', spec.script), [...spec.args], {
    execArgv,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  })
  const { port, pids } = await new Promise<{ port: number; pids: number[] }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => fail(new Error(`${system} server did not print its port`)), 15_000)
    const fail = (error: Error): void => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    }
    child.once('exit', (code) => fail(new Error(`${system} server exited (${code})`)))
    lines.on('line', (line) => {
      const parsed = /^\{"port":(\d+)(?:,"pids":\[([\d,]*)\])?\}$/.exec(line.trim())
      if (parsed) {
        clearTimeout(timer)
        child.removeAllListeners('exit')
        resolve({ port: Number(parsed[1]), pids: (parsed[2] ?? '').split(',').filter(Boolean).map(Number) })
      }
    })
  })
  return {
    port,
    pid: child.pid!,
    workPids: pids.length > 0 ? pids : [child.pid!],
    async memory() {
      const answer = nextMessage<{ rss: number }>(child, 'mem', 10_000)
      child.send({ type: 'mem' })
      return (await answer).rss
    },
    async counters() {
      if (!child.connected) return {}
      const answer = nextMessage<{ counters: Record<string, number> }>(child, 'counters', 5_000)
      child.send({ type: 'counters' })
      return answer.then((a) => a.counters, () => ({}))
    },
    async publish(command) {
      const answer = nextMessage<LocalPublishRun>(child, 'published', command.durationMs * 2 + 30_000)
      child.send(command)
      return answer
    },
    stop: () => stopChild(child),
  }
}

export interface WorkerPool {
  readonly pids: readonly number[]
  /** Waits until every worker has seen `lastSeq` (or timeoutMs), then sums their step figures. */
  collect(lastSeq: number, timeoutMs: number): Promise<StepStats[]>
  stop(): Promise<void>
}

export interface ReadyReport {
  readonly connected: number
  readonly failed: number
  readonly error?: string
}

/** Starts `workers` load processes sharing `subscribers` subscriptions to `system` on `port`; resolves once ready. */
export async function startWorkers(
  system: SystemName,
  port: number,
  subscribers: number,
  workers: number,
): Promise<{ pool: WorkerPool; ready: ReadyReport }> {
  const count = Math.max(1, Math.min(workers, subscribers))
  const children = Array.from({ length: count }, () =>
    fork(join(DIST, 'clients', 'worker.js'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // BENCH_WORKER_PROF=<dir>: a CPU profile of each load worker, to check that the harness is not the limit.
      execArgv: process.env.BENCH_WORKER_PROF
        ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_PROF}`]
        : process.execArgv,
    }),
  )
  const send = (child: ChildProcess, command: WorkerCommand): void => {
    child.send(command)
  }
  const pool: WorkerPool = {
    pids: children.map((c) => c.pid!),
    async collect(lastSeq, timeoutMs) {
      const answers = children.map((child) => nextMessage<StepStats>(child, 'stats', timeoutMs + 30_000))
      for (const child of children) send(child, { type: 'collect', lastSeq, timeoutMs })
      return Promise.all(answers)
    },
    async stop() {
      await Promise.all(children.map(stopChild))
    },
  }
  try {
    const readyTimeout = 30_000 + subscribers * 20
    const answers = children.map((child) => nextMessage<ReadyReport>(child, 'ready', readyTimeout))
    children.forEach((child, i) => {
      const share = Math.floor(subscribers / count) + (i < subscribers % count ? 1 : 0)
      send(child, { type: 'start', system, port, count: share })
    })
    const reports = await Promise.all(answers)
    const ready: ReadyReport = {
      connected: reports.reduce((sum, r) => sum + r.connected, 0),
      failed: reports.reduce((sum, r) => sum + r.failed, 0),
      ...(reports.find((r) => r.error)?.error ? { error: reports.find((r) => r.error)!.error! } : {}),
    }
    return { pool, ready }
  } catch (error) {
    await pool.stop()
    throw error
  }
}
