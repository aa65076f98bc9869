import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, type Running, startProcess, waitForHttp } from '../packaging/processes.js'
import { type AppServer, startAppServer } from './app-server.js'
import { readmeConfig } from './proxy-config.js'
import { deliverThrough } from './through-proxy.js'
import { openSse } from './sse.js'

const HAPROXY = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy'

let server: AppServer
let proxy: Running
let dir: string
let base: string

beforeAll(async () => {
  server = await startAppServer()
  const port = await freePort()
  dir = mkdtempSync(join(tmpdir(), 'pushline-haproxy-'))
  const config = readmeConfig('Behind HAProxy', 'haproxy', [
    [/bind :8080/, `bind 127.0.0.1:${port}`],
    [/server app1 127\.0\.0\.1:3000/, `server app1 127.0.0.1:${server.port}`],
  ])
  writeFileSync(join(dir, 'haproxy.cfg'), config)
  // -db: stay in the foreground, a child of the test, never the system service.
  proxy = startProcess(HAPROXY, ['-db', '-f', join(dir, 'haproxy.cfg')], dir)
  base = `http://127.0.0.1:${port}/rt`
  await waitForHttp(`${base}/negotiate`)
}, 30_000)

afterAll(async () => {
  await proxy?.stop()
  await server?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe("the README's HAProxy config, in front of a real server", () => {
  it('passes each SSE event on at once, not ~200 ms later (option http-no-delay)', async () => {
    const stream = await openSse(`${base}/sse?channel=ticks`)
    try {
      await stream.next(/^event: hello/m)
      const delays: number[] = []
      for (let i = 0; i < 10; i++) {
        const sent = performance.now()
        await server.app.pushline.publish('ticks', { i })
        const { at } = await stream.next(new RegExp(`"data":\\{"i":${i}\\}`))
        delays.push(at - sent)
      }
      console.log('haproxy SSE delays (ms):', delays.map((d) => d.toFixed(1)).join(' '))
      // Without http-no-delay every one of these is ~200 ms (HAProxy holds small frames back for more data).
      expect(Math.min(...delays)).toBeLessThan(100)
      expect(delays.sort((a, b) => a - b)[5]).toBeLessThan(100)
    } finally {
      stream.close()
    }
  })

  it.each(['websocket', 'longpoll'] as const)('carries %s, end to end with the real client', async (transport) => {
    expect(await deliverThrough(base, server, transport)).toBe(transport)
  })

  it('forwards the client address for trustProxy (option forwardfor)', async () => {
    const whoami = await (await fetch(`${base}/whoami`)).json()
    expect(server.lastHeaders()['x-forwarded-for']).toBe('127.0.0.1')
    expect(whoami).toEqual({ ip: '127.0.0.1', protocol: 'http' })
  })
})
