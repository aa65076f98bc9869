import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'

/** A private redis-server for one benchmark run: 127.0.0.1, a free port, no persistence. */
export interface RedisServer {
  readonly url: string
  readonly pid: number
  /** SIGTERM, then SIGKILL after 5 s; resolves once it exited. */
  stop(): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort()
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no']
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  await new Promise<void>((resolve, reject) => {
    let output = ''
    let ready = false
    const timer = setTimeout(() => fail(new Error(`redis-server not ready within 10 s: ${output.slice(-500)}`)), 10_000)
    const fail = (error: Error): void => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    }
    // Keeps reading after ready (a full pipe would block Redis's logging) but stops collecting.
    const onData = (chunk: Buffer): void => {
      if (ready) return
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        ready = true
        clearTimeout(timer)
        child.off('exit', onExit)
        child.off('error', fail)
        resolve()
      }
    }
    const onExit = (code: number | null): void => fail(new Error(`redis-server exited (${code}): ${output.slice(-500)}`))
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
    child.once('error', fail)
  })
  // Should the driver die without reaching stop() (an uncaught error), Redis must not outlive it.
  const killOnExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', killOnExit)
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      process.off('exit', killOnExit)
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    },
  }
}
