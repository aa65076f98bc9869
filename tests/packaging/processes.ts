import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  await new Promise<void>((done) => server.close(() => done()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

export interface Running {
  readonly child: ChildProcess
  /** Everything written to stdout and stderr so far. */
  output(): string
  /** Resolves once the output matches `pattern`; rejects when the process exits first or `timeoutMs` passes. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  stop(): Promise<void>
}

/** Starts `node <args>` in `cwd` and keeps its output, so a test can wait on what it prints. */
export function startNode(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Running {
  return startProcess(process.execPath, args, cwd, env)
}

/** Starts `command <args>` in `cwd` (a proxy, a server) and keeps its output. */
export function startProcess(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(command, [...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  const waiters = new Set<() => void>()
  const onData = (chunk: Buffer) => {
    text += chunk.toString()
    for (const check of waiters) check()
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  return {
    child,
    output: () => text,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const finish = (error?: Error, match?: RegExpMatchArray) => {
          waiters.delete(check)
          clearTimeout(timer)
          if (match) resolve(match)
          else reject(error)
        }
        const check = () => {
          const match = pattern.exec(text)
          if (match) finish(undefined, match)
        }
        const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${text}`)), timeoutMs)
        waiters.add(check)
        void exited.then(() => finish(new Error(`exited (${child.exitCode}) before ${pattern}; output:\n${text}`)))
        check()
      })
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}

/** Resolves once `url` answers `status` (a server or proxy is up); polls, rejects after `timeoutMs`. */
export async function waitForHttp(url: string, status = 200, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url)
      await response.arrayBuffer()
      if (response.status === status) return
      last = `status ${response.status}`
    } catch (error) {
      last = error instanceof Error ? error.message : String(error)
    }
    await new Promise((retry) => setTimeout(retry, 50))
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`)
}
