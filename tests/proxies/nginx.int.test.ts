import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TRANSPORT_NAMES } from '@pushline/core/wire'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, type Running, startProcess, waitForHttp } from '../packaging/processes.js'
import { type AppServer, startAppServer } from './app-server.js'
import { readmeConfig } from './proxy-config.js'
import { openSse } from './sse.js'
import { deliverThrough } from './through-proxy.js'

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx'

let server: AppServer
let proxy: Running
let dir: string
let base: string

// The README's block is a conf.d file (it goes inside `http { }`): the test's nginx.conf only adds what a private
// nginx needs (pid, logs, temp paths under its own prefix) and includes the block, as /etc/nginx/nginx.conf does.
const MAIN_CONF = `worker_processes 1;
pid nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path tmp/client_body;
  proxy_temp_path tmp/proxy;
  fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi;
  scgi_temp_path tmp/scgi;
  include pushline.conf;
}
`

beforeAll(async () => {
  server = await startAppServer()
  const port = await freePort()
  dir = mkdtempSync(join(tmpdir(), 'pushline-nginx-'))
  mkdirSync(join(dir, 'tmp'))
  const block = readmeConfig('Behind nginx', 'nginx', [
    [/listen 8080;/, `listen 127.0.0.1:${port};`],
    [/server 127\.0\.0\.1:3000;/, `server 127.0.0.1:${server.port};`],
  ])
  writeFileSync(join(dir, 'pushline.conf'), block)
  writeFileSync(join(dir, 'nginx.conf'), MAIN_CONF)
  proxy = startProcess(NGINX, ['-p', dir, '-c', 'nginx.conf', '-e', 'stderr', '-g', 'daemon off;'], dir)
  base = `http://127.0.0.1:${port}/rt`
  await waitForHttp(`${base}/negotiate`)
}, 30_000)

afterAll(async () => {
  await proxy?.stop()
  await server?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe("the README's nginx block, pasted as it is, in front of a real server", () => {
  it.each(TRANSPORT_NAMES)('carries %s, end to end with the real client', async (transport) => {
    expect(await deliverThrough(base, server, transport)).toBe(transport)
  })

  it('streams SSE frame by frame (no buffering)', async () => {
    const stream = await openSse(`${base}/sse?channel=ticks`)
    try {
      await stream.next(/^event: hello/m)
      await server.app.pushline.publish('ticks', { n: 1 })
      await stream.next(/"data":\{"n":1\}/, 5_000) // arrives while the response is still open
    } finally {
      stream.close()
    }
  })

  it("keeps upstream connections alive between requests ('' maps to an empty Connection header, not close)", async () => {
    const before = server.connections.length
    for (let i = 0; i < 5; i++) expect((await fetch(`${base}/negotiate`)).status).toBe(200)
    // With `'' close` nginx would open one upstream connection per request (5 here).
    expect(server.connections.length - before).toBeLessThanOrEqual(1)
  })

  it('forwards the client address for trustProxy', async () => {
    const whoami = await (await fetch(`${base}/whoami`)).json()
    expect(server.lastHeaders()['x-forwarded-for']).toBe('127.0.0.1')
    expect(whoami).toEqual({ ip: '127.0.0.1', protocol: 'http' })
  })
})
