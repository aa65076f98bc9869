import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port.js'

export interface Nginx {
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

export interface NginxOptions {
  /** The upstream instances (round-robin, no stickiness). */
  readonly upstreams: readonly number[]
  /** The proxied location (default `/rt/`). */
  readonly location?: string
  /**
   * Directives of the location, after proxy_pass (default: HTTP/1.1 upstream, WebSocket upgrade headers, buffering
   * off, a long read timeout, retry on the next upstream on errors).
   */
  readonly directives?: string
}

export const DEFAULT_DIRECTIVES = `proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout;`

/** The upstream block for pushline instances: plain round-robin, no ip_hash, no sticky cookie. */
export function upstreamConf(ports: readonly number[]): string {
  return `upstream pushline {
    ${ports.map((port) => `server 127.0.0.1:${port} max_fails=1 fail_timeout=1s;`).join('\n    ')}
    keepalive 32;
  }`
}

/**
 * A private nginx (never the system service): its own prefix directory, pid, logs and temp paths, on a free port,
 * in front of `upstreams`. Resolves once it answers; `stop()` (or `await using`) ends it and removes its directory.
 */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const dir = await mkdtemp(join(tmpdir(), 'pushline-nginx-'))
  await mkdir(join(dir, 'tmp'), { recursive: true })
  const port = await freePort()
  const conf = `worker_processes 1; pid nginx.pid; error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path tmp/client_body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  ${upstreamConf(options.upstreams)}
  server {
    listen 127.0.0.1:${port};
    location ${options.location ?? '/rt/'} {
      proxy_pass http://pushline;
      ${options.directives ?? DEFAULT_DIRECTIVES}
    }
  }
}
`
  await writeFile(join(dir, 'nginx.conf'), conf)
  const child: ChildProcess = spawn('/usr/sbin/nginx', ['-p', dir, '-c', 'nginx.conf', '-e', 'stderr', '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`)
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    )
    if (up) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`nginx did not start: ${stderr}`)
    }
    // A launch poll on the fixture's own readiness, not a test's synchronization.
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGQUIT')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  }
  return { port, origin: `http://127.0.0.1:${port}`, stop, [Symbol.asyncDispose]: stop }
}
