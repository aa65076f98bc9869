import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Peers `nchan-websocket`, `nchan-sse`, `nchan-longpoll`: Nchan, the pub/sub module for nginx written in C
// (Debian's libnginx-mod-nchan), in a private nginx with ONE worker on loopback. Publishing is Nchan's own HTTP
// publisher (POST /publish); there is no in-process publisher. This script only starts nginx, prints its port and
// the worker's pid (the process whose CPU and memory are the server's), and stops it.
export const NGINX_BIN = process.env.NGINX_PATH ?? '/usr/sbin/nginx'
export const NCHAN_MODULE = process.env.NCHAN_MODULE ?? '/usr/lib/nginx/modules/ngx_nchan_module.so'

function freePort(): Promise<number> {
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

/** Nchan: one channel `bench`, a message buffer long enough that a long-poller one poll behind loses nothing. */
export function nchanConfig(port: number): string {
  return `load_module ${NCHAN_MODULE};
worker_processes 1; pid nginx.pid; error_log stderr error;
events { worker_connections 65536; }
http { access_log off;
  client_body_temp_path tmp/client_body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
  nchan_shared_memory_size 256M;
  server { listen 127.0.0.1:${port} backlog=4096;
    location = /publish { nchan_publisher; nchan_channel_id bench;
      nchan_message_buffer_length 50000; nchan_message_timeout 120s; }
    location = /sub { nchan_subscriber; nchan_channel_id bench; nchan_subscriber_first_message newest;
      nchan_longpoll_multipart_response on; }
  }
}
`
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  // Bounded by the deadline.
  while (Date.now() < deadline) {
    const found = await probe()
    if (found !== undefined) return found
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`nchan: ${what} within ${timeoutMs} ms`)
}

const accepts = (port: number): Promise<true | undefined> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(undefined))
  })

const dir = mkdtempSync(join(tmpdir(), 'pushline-bench-nchan-'))
mkdirSync(join(dir, 'tmp'), { recursive: true })
const port = await freePort()
writeFileSync(join(dir, 'nginx.conf'), nchanConfig(port))
const nginx: ChildProcess = spawn(NGINX_BIN, ['-p', dir, '-c', 'nginx.conf', '-e', 'stderr', '-g', 'daemon off;'], {
  stdio: ['ignore', 'ignore', 'inherit'],
})
let stopping = false
const stop = (): void => {
  if (stopping) return
  stopping = true
  nginx.kill('SIGTERM')
  // Its directory goes once nginx is gone (it removes its pid file on the way out).
  setTimeout(() => nginx.kill('SIGKILL'), 5_000).unref()
}
nginx.once('exit', (code) => {
  rmSync(dir, { recursive: true, force: true })
  if (!stopping) console.error(`nchan: nginx exited (${code})`)
  process.exit(stopping ? 0 : 1)
})
await waitFor(() => accepts(port), 10_000, 'nginx did not listen')
const master = nginx.pid ?? 0
const worker = await waitFor(() => childrenOf(master)[0], 10_000, 'no worker process')

process.on('message', (message: { type: string }) => {
  if (message.type === 'exit') stop()
  if (message.type === 'counters') process.send?.({ type: 'counters', counters: {} })
  if (message.type === 'mem') {
    const status = readFileSync(`/proc/${worker}/status`, 'latin1')
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0)
    process.send?.({ type: 'mem', rss: kb * 1024 })
  }
})
process.on('disconnect', stop)
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.stdout.write(`${JSON.stringify({ port, pids: [worker] })}\n`)
