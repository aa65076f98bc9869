import { readFileSync } from 'node:fs'
import { NGINX_CLIENT_KEEPALIVE, NGINX_PREAMBLE, NGINX_TEMP_PATHS, startNginx, workerPids } from '../nginx/private-nginx.js'

// Peers `nchan-websocket`, `nchan-sse`, `nchan-longpoll`: Nchan, the pub/sub module for nginx written in C
// (Debian's libnginx-mod-nchan), in a private nginx with ONE worker on loopback. Publishing is Nchan's own HTTP
// publisher (POST /publish); there is no in-process publisher. This script only starts nginx, prints its port and
// the worker's pid (the process whose CPU and memory are the server's), and stops it.
export const NCHAN_MODULE = process.env.NCHAN_MODULE ?? '/usr/lib/nginx/modules/ngx_nchan_module.so'

/** Nchan: one channel `bench`, a message buffer long enough that a long-poller one poll behind loses nothing. */
export function nchanConfig(port: number): string {
  return `load_module ${NCHAN_MODULE};
${NGINX_PREAMBLE}
http { ${NGINX_TEMP_PATHS} ${NGINX_CLIENT_KEEPALIVE}
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

// The private nginx (the bench's one launcher), and its worker: the process whose CPU and memory are Nchan's.
const nginx = await startNginx((port) => nchanConfig(port))
const port = nginx.port
const deadline = Date.now() + 10_000
let worker = workerPids(nginx.pid)[0]
// Bounded by the deadline.
while (worker === undefined) {
  if (Date.now() > deadline) {
    await nginx.stop()
    throw new Error('nchan: no worker process within 10000 ms')
  }
  await new Promise((resolve) => setTimeout(resolve, 20))
  worker = workerPids(nginx.pid)[0]
}
let stopping = false
const stop = (): void => {
  if (stopping) return
  stopping = true
  void nginx.stop().then(() => process.exit(0))
}

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
