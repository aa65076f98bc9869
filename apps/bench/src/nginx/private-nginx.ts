import { type ChildProcess, spawn } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const NGINX_BIN = process.env.NGINX_PATH ?? '/usr/sbin/nginx'

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

/** The lines every private nginx needs so that it writes nothing outside its own directory. */
export const NGINX_PREAMBLE = `worker_processes 1; pid nginx.pid; error_log stderr error;
events { worker_connections 65536; }`
export const NGINX_TEMP_PATHS = `access_log off;
  client_body_temp_path tmp/client_body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;`

/**
 * nginx closes a client's keep-alive connection after 1,000 requests by default (`keepalive_requests`). A long-poller
 * at a few hundred polls a second lost its connection every few seconds, and the load clients count a closed
 * connection as a disconnect: Nchan long-poll at N = 100 had every subscriber disconnected in every step
 * (2026-12-07). A deployment tuned for long-polling keeps its connections; so does every nginx the bench measures.
 */
export const NGINX_CLIENT_KEEPALIVE = 'keepalive_requests 1000000000; keepalive_timeout 120s;'

/** The worker processes of an nginx master (the processes that do the work). */
export function workerPids(master: number): number[] {
  try {
    return readFileSync(`/proc/${master}/task/${master}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

export interface PrivateNginx {
  readonly port: number
  readonly dir: string
  /** The master's pid. */
  readonly pid: number
  stop(): Promise<void>
}

/**
 * A private nginx in the foreground (`nginx -p <dir> -c nginx.conf -e stderr -g 'daemon off;'`), never the system
 * service; `render(port, dir)` writes its whole config. Resolves once it accepts connections.
 */
export async function startNginx(render: (port: number, dir: string) => string): Promise<PrivateNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'pushline-bench-nginx-'))
  // Started as root, nginx's worker runs as an unprivileged user: it must be able to write the temp and cache paths.
  chmodSync(dir, 0o755)
  for (const sub of ['tmp', 'cache']) {
    mkdirSync(join(dir, sub), { recursive: true })
    chmodSync(join(dir, sub), 0o777)
  }
  const port = await freePort()
  writeFileSync(join(dir, 'nginx.conf'), render(port, dir))
  const child: ChildProcess = spawn(NGINX_BIN, ['-p', dir, '-c', 'nginx.conf', '-e', 'stderr', '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 10_000
  // Bounded by the deadline.
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`nginx did not start: ${log}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return { port, dir, pid: child.pid ?? 0, stop }
}
