import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port.js'

/**
 * A private `redis-server` for tests (`@pushline/testing`): 127.0.0.1, a free port, its own
 * data directory, never the system service. Needs `redis-server` on the PATH.
 */
export interface RedisServerOptions {
  /** Persist with an append-only file (fsync always), so a restart keeps every acknowledged write. */
  readonly aof?: boolean
}

export interface RedisServer extends AsyncDisposable {
  readonly port: number
  readonly url: string
  /** The process id while running (for CPU readings), else undefined. */
  readonly pid: number | undefined
  readonly running: boolean
  /** SIGTERM and wait for exit (Redis flushes its AOF on a clean shutdown). */
  stop(): Promise<void>
  /** Start again on the same port and directory (after `stop`). */
  start(): Promise<void>
  /** SIGSTOP: the server keeps its sockets but answers nothing (a network partition, as clients see it). */
  pause(): void
  /** SIGCONT after `pause`. */
  resume(): void
  /** Stop for good and delete the data directory. */
  dispose(): Promise<void>
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'pushline-redis-'))
  const port = await freePort()
  let child: ChildProcess | undefined
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--dir',
    dir,
    ...(options.aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    '--daemonize',
    'no',
  ]
  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
      child = proc
      // Should the owner die without stopping it (an uncaught error), Redis must not outlive it.
      const killOnExit = (): void => {
        proc.kill('SIGKILL')
      }
      process.once('exit', killOnExit)
      proc.once('exit', () => process.off('exit', killOnExit))
      let output = ''
      let ready = false
      const timer = setTimeout(() => fail(new Error(`redis-server did not start: ${output.slice(-500)}`)), 10_000)
      const fail = (error: Error): void => {
        clearTimeout(timer)
        proc.kill('SIGKILL')
        reject(error)
      }
      // Keeps reading after ready (a full pipe would block Redis's logging) but stops collecting.
      const collect = (chunk: Buffer): void => {
        if (ready) return
        output += chunk.toString()
        if (output.includes('Ready to accept connections')) {
          ready = true
          clearTimeout(timer)
          resolve()
        }
      }
      proc.stdout.on('data', collect)
      proc.stderr.on('data', collect)
      proc.once('error', fail)
      proc.once('exit', (code) => {
        if (child === proc) child = undefined
        if (!ready) fail(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`))
      })
    })
  const stop = async (): Promise<void> => {
    const proc = child
    if (!proc) return
    child = undefined
    await new Promise<void>((resolve) => {
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
      proc.once('exit', () => {
        clearTimeout(killer)
        resolve()
      })
      proc.kill('SIGCONT')
      proc.kill('SIGTERM')
    })
  }
  const dispose = async (): Promise<void> => {
    await stop()
    await rm(dir, { recursive: true, force: true })
  }
  await start()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid
    },
    get running() {
      return child !== undefined
    },
    start,
    stop,
    pause() {
      child?.kill('SIGSTOP')
    },
    resume() {
      child?.kill('SIGCONT')
    },
    dispose,
    [Symbol.asyncDispose]: dispose,
  }
}
