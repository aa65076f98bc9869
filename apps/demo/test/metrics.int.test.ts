import { MemoryLog } from '@pushline/core'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { buildDemoApp } from '../src/server/app.js'
import { readConfig } from '../src/server/config.js'

// PUSHLINE_METRICS switches /rt/metrics on; PUSHLINE_METRICS_TOKEN guards it.

const started: FastifyInstance[] = []
afterEach(async () => {
  for (const app of started.splice(0)) await app.close()
})

async function start(env: Record<string, string>): Promise<string> {
  const config = readConfig({ PORT: '0', LOG_LEVEL: 'silent', TICKER_MS: '0', ...env })
  const log = new MemoryLog()
  const app = await buildDemoApp({ config, log, publicDir: '/nonexistent-pushline-public' })
  app.addHook('onClose', async () => log.close())
  started.push(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
}

describe('demo metrics switch', () => {
  it('serves no metrics by default', async () => {
    const url = await start({})
    expect((await fetch(`${url}/rt/metrics`)).status).toBe(404)
  })

  it('serves /rt/metrics with PUSHLINE_METRICS=1, counting publishes', async () => {
    const url = await start({ PUSHLINE_METRICS: '1' })
    const published = await fetch(`${url}/rt/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'chat', data: { from: 'ann', text: 'hi' } }),
    })
    expect(published.status).toBe(201)
    const response = await fetch(`${url}/rt/metrics`)
    expect(response.status).toBe(200)
    const text = await response.text()
    expect(text).toContain('pushline_publishes_total 1')
    expect(text).toContain('pushline_publish_errors_total 0')
    expect(text).toMatch(/pushline_publish_duration_seconds_count\{[^}]*transport="http"[^}]*\} 1/)
  })

  it('asks for the bearer token when PUSHLINE_METRICS_TOKEN is set', async () => {
    const token = 'a-long-enough-secret-token'
    const url = await start({ PUSHLINE_METRICS: '1', PUSHLINE_METRICS_TOKEN: token })
    const anonymous = await fetch(`${url}/rt/metrics`)
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject({ error: { code: 'RT_ERR_AUTH_UNAUTHENTICATED' } })
    expect((await fetch(`${url}/rt/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
    const allowed = await fetch(`${url}/rt/metrics`, { headers: { authorization: `Bearer ${token}` } })
    expect(allowed.status).toBe(200)
    expect(await allowed.text()).toContain('pushline_connections')
    // The rest of the API is not guarded.
    expect((await fetch(`${url}/rt/negotiate`)).status).toBe(200)
  })

  it('refuses a short token at start', () => {
    expect(() => readConfig({ PUSHLINE_METRICS: '1', PUSHLINE_METRICS_TOKEN: 'short' })).toThrow(/PUSHLINE_METRICS_TOKEN/)
  })
})
