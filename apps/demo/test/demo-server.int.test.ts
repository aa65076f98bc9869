import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryLog } from '@pushline/core'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { buildDemoApp } from '../src/server/app.js'
import { type DemoConfig, readConfig } from '../src/server/config.js'

interface Running {
  readonly app: FastifyInstance
  readonly url: string
}

const started: Running[] = []
let publicDir: string | undefined

afterEach(async () => {
  for (const { app } of started.splice(0)) await app.close()
  if (publicDir) await rm(publicDir, { recursive: true, force: true })
  publicDir = undefined
})

async function start(env: Record<string, string> = {}): Promise<Running> {
  publicDir = await mkdtemp(join(tmpdir(), 'pushline-demo-public-'))
  await writeFile(join(publicDir, 'index.html'), '<!doctype html><title>pushline demo</title>')
  const config: DemoConfig = readConfig({ PORT: '0', LOG_LEVEL: 'silent', TICKER_MS: '0', ...env })
  const log = new MemoryLog()
  const app = await buildDemoApp({ config, log, publicDir })
  app.addHook('onClose', async () => log.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const running = { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` }
  started.push(running)
  return running
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

describe('demo server', () => {
  it('serves the SPA and the pushline plugin on one origin', async () => {
    const { url } = await start()
    const page = await fetch(`${url}/`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('pushline demo')
    const negotiate = await fetch(`${url}/rt/negotiate`)
    expect(negotiate.status).toBe(200)
    expect(await negotiate.json()).toMatchObject({ protocol: 1 })
  })

  it('does not expose the load publisher unless DEMO_CONTROL=1', async () => {
    const { url } = await start()
    const response = await post(`${url}/demo/bursts`, { channel: 'load/x', count: 1, ratePerSec: 1 })
    expect(response.status).toBe(404)
  })

  it('publishes a burst of numbered events in order, readable over long-poll', async () => {
    const { url } = await start({ DEMO_CONTROL: '1' })
    const head = (await (await fetch(`${url}/rt/poll?channel=load/t`)).json()) as { cursor: string }
    const accepted = await post(`${url}/demo/bursts`, { channel: 'load/t', count: 50, ratePerSec: 1000 })
    expect(accepted.status).toBe(202)
    const { id } = (await accepted.json()) as { id: string }
    let status: { done: boolean; published: number; lastCursor: string | null } = { done: false, published: 0, lastCursor: null }
    while (!status.done) {
      await new Promise((r) => setTimeout(r, 20))
      status = (await (await fetch(`${url}/demo/bursts/${id}`)).json()) as typeof status
    }
    expect(status.published).toBe(50)
    const numbers: number[] = []
    let cursor = head.cursor
    while (numbers.length < 50) {
      const batch = (await (await fetch(`${url}/rt/poll?channel=load/t&cursor=${cursor}`)).json()) as {
        events: { data: { n: number } }[]
        cursor: string
      }
      numbers.push(...batch.events.map((e) => e.data.n))
      cursor = batch.cursor
    }
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(cursor).toBe(status.lastCursor)
  })

  it('stops a burst early and reports exactly what it published', async () => {
    const { url } = await start({ DEMO_CONTROL: '1' })
    const { id } = (await (await post(`${url}/demo/bursts`, { channel: 'load/s', count: 100_000, ratePerSec: 100 })).json()) as {
      id: string
    }
    await new Promise((r) => setTimeout(r, 150))
    const stopped = (await (await fetch(`${url}/demo/bursts/${id}`, { method: 'DELETE' })).json()) as {
      done: boolean
      stopped: boolean
      published: number
    }
    expect(stopped).toMatchObject({ done: true, stopped: true })
    expect(stopped.published).toBeGreaterThan(0)
    expect(stopped.published).toBeLessThan(100_000)
  })

  it('refuses bursts outside load/ channels, over the bounds, or past the concurrency limit', async () => {
    const { url } = await start({ DEMO_CONTROL: '1' })
    for (const body of [
      { channel: 'chat', count: 1, ratePerSec: 1 },
      { channel: 'load/x', count: 1_000_000, ratePerSec: 1 },
      { channel: 'load/x', count: 1, ratePerSec: 0 },
      { channel: 'load/x' },
    ]) {
      const response = await post(`${url}/demo/bursts`, body)
      expect(response.status).toBe(400)
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('RT_ERR_DEMO_INVALID')
    }
    const ids: string[] = []
    for (let i = 0; i < 4; i++) {
      const response = await post(`${url}/demo/bursts`, { channel: `load/c${i}`, count: 100_000, ratePerSec: 1 })
      expect(response.status).toBe(202)
      ids.push(((await response.json()) as { id: string }).id)
    }
    const fifth = await post(`${url}/demo/bursts`, { channel: 'load/c4', count: 1, ratePerSec: 1 })
    expect(fifth.status).toBe(429)
    for (const id of ids) await fetch(`${url}/demo/bursts/${id}`, { method: 'DELETE' })
  })

  it('lets browsers publish chat, and nothing else', async () => {
    const { url } = await start()
    const chat = await post(`${url}/rt/publish`, { channel: 'chat', data: { from: 'ann', text: 'hi' } })
    expect(chat.status).toBe(201)
    const badChat = await post(`${url}/rt/publish`, { channel: 'chat', data: { text: 42 } })
    expect(badChat.status).toBe(400)
    const ticker = await post(`${url}/rt/publish`, { channel: 'ticker', data: { symbol: 'X', price: 1, change: 0, at: 'now' } })
    expect(ticker.status).toBe(403)
    const load = await post(`${url}/rt/publish`, { channel: 'load/x', data: { n: 0, at: 0 } })
    expect(load.status).toBe(403)
  })
})

describe('demo configuration', () => {
  it('reads ALLOWED_ORIGINS as * or a list, and explains invalid values', () => {
    expect(readConfig({ ALLOWED_ORIGINS: '*' }).ALLOWED_ORIGINS).toBe('*')
    expect(readConfig({ ALLOWED_ORIGINS: 'https://a.example, https://b.example' }).ALLOWED_ORIGINS).toEqual([
      'https://a.example',
      'https://b.example',
    ])
    expect(() => readConfig({ PORT: 'eighty' })).toThrow(/PORT/)
  })

  it('refuses requests carrying an Origin that is not allowed', async () => {
    const { url } = await start({ ALLOWED_ORIGINS: 'https://demo.example' })
    const denied = await fetch(`${url}/rt/negotiate`, { headers: { origin: 'https://evil.example' } })
    expect(denied.status).toBe(403)
    const allowed = await fetch(`${url}/rt/negotiate`, { headers: { origin: 'https://demo.example' } })
    expect(allowed.status).toBe(200)
  })
})
