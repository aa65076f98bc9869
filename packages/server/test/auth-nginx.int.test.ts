import { DEFAULT_DIRECTIVES, type Nginx, startNginx } from '@pushline/testing'
import Fastify, { type FastifyInstance } from 'fastify'
import { Agent, fetch } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { type PushlineOptions, pushline } from '../src/index.js'
import { AUTH, bearer } from './helpers/auth.js'

// Per-client limits behind a real nginx: every request reaches the app from nginx's address, so the limits must key
// on the forwarded address (fastify's trustProxy + X-Forwarded-For) or on the identity. Two clients on different
// loopback addresses (127.0.0.2, 127.0.0.3) stand for two users behind the same proxy.
const FORWARDED = `${DEFAULT_DIRECTIVES}
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close()
})

async function behindNginx(options: PushlineOptions, trustProxy: string | undefined): Promise<Nginx> {
  const app: FastifyInstance = Fastify({ ...(trustProxy ? { trustProxy } : {}), forceCloseConnections: true, logger: false })
  await app.register(pushline, { prefix: '/rt', ...options })
  await app.listen({ port: 0, host: '127.0.0.1' })
  cleanup.push(() => app.close())
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const nginx = await startNginx({ upstreams: [address.port], directives: FORWARDED })
  cleanup.push(() => nginx.stop())
  return nginx
}

/** A client connecting from `localAddress`. */
function clientAt(localAddress: string) {
  const agent = new Agent({ localAddress })
  cleanup.push(() => agent.destroy())
  /** Opens an NDJSON stream through nginx: its status; a 200 stays open (holding its slot) until the test ends. */
  return async (nginx: Nginx, headers: Record<string, string> = {}): Promise<number> => {
    const abort = new AbortController()
    const response = await fetch(`${nginx.origin}/rt/stream?channel=public`, { dispatcher: agent, headers, signal: abort.signal })
    if (response.status === 200) {
      const reader = response.body?.getReader()
      await reader?.read()
      cleanup.push(async () => abort.abort())
    } else {
      await response.arrayBuffer()
    }
    return response.status
  }
}

describe('limits behind nginx', () => {
  it('keys on the forwarded address with trustProxy, which a client cannot spoof with its own X-Forwarded-For', async () => {
    const nginx = await behindNginx({ limits: { maxConnectionsPerClient: 1 } }, '127.0.0.1')
    const a = clientAt('127.0.0.2')
    const b = clientAt('127.0.0.3')
    expect(await a(nginx)).toBe(200)
    expect(await a(nginx)).toBe(429)
    expect(await a(nginx, { 'x-forwarded-for': '10.9.9.9' })).toBe(429)
    expect(await b(nginx)).toBe(200)
  })

  it('without trustProxy, every user behind the proxy shares its one budget (why the README says to set it)', async () => {
    const nginx = await behindNginx({ limits: { maxConnectionsPerClient: 1 } }, undefined)
    expect(await clientAt('127.0.0.2')(nginx)).toBe(200)
    expect(await clientAt('127.0.0.3')(nginx)).toBe(429)
  })

  it('keys on the identity when there is one, whatever the address', async () => {
    const nginx = await behindNginx({ ...AUTH, limits: { maxConnectionsPerClient: 1 } }, '127.0.0.1')
    const a = clientAt('127.0.0.2')
    const b = clientAt('127.0.0.3')
    expect(await a(nginx, bearer('user-alice'))).toBe(200)
    expect(await b(nginx, bearer('user-alice'))).toBe(429)
    expect(await a(nginx, bearer('user-bob'))).toBe(200)
  })
})
