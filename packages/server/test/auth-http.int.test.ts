import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { type PushlineOptions, pushline } from '../src/index.js'
import { startApp as startTestApp } from '@pushline/testing'
import { startApp, type TestApp, until } from './helpers/app.js'
import { AUTH, bearer } from './helpers/auth.js'
import { CLIENTS, ndjsonClient, type TestSubscriber } from './helpers/clients.js'
import { openWs } from './helpers/ws-client.js'

const apps: TestApp[] = []
const start = async (options: PushlineOptions = AUTH): Promise<TestApp> => {
  const app = await startApp(options)
  apps.push(app)
  return app
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()))
})

const post = (t: TestApp, body: unknown, headers: Record<string, string> = {}) =>
  t.fetch('/publish', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
const errorOf = async (response: Response | Awaited<ReturnType<TestApp['fetch']>>) =>
  ((await response.json()) as { error: { code: string; channels?: string[] } }).error

describe('publish with credentials', () => {
  it('over HTTP: allowed on its own channel, 403 naming the channel elsewhere, 401 without a token', async () => {
    const t = await start()
    const ok = await post(t, { channel: 'user/alice', data: 1 }, bearer('user-alice'))
    expect(ok.status).toBe(201)
    const denied = await post(t, { channel: 'public', data: 1 }, bearer('user-alice'))
    expect(denied.status).toBe(403)
    expect(await errorOf(denied)).toMatchObject({ code: 'RT_ERR_AUTH_FORBIDDEN', channels: ['public'] })
    const anonymous = await post(t, { channel: 'user/alice', data: 1 })
    expect(anonymous.status).toBe(401)
    expect((await errorOf(anonymous)).code).toBe('RT_ERR_AUTH_UNAUTHENTICATED')
    const expired = await post(t, { channel: 'user/alice', data: 1 }, bearer(`user-alice~${Date.now() - 1}`))
    expect((await errorOf(expired)).code).toBe('RT_ERR_AUTH_EXPIRED')
    const read = await t.app.pushline.log.read(['user/alice', 'public'], `${(await t.app.pushline.log.head()).split('-')[0]}-0`)
    expect(read).toMatchObject({ events: [{ channel: 'user/alice', data: 1 }] })
    expect('events' in read && read.events).toHaveLength(1)
  })

  it('over HTTP: authenticates from the headers before the body is read (an anonymous oversized body is a 401, not a 413)', async () => {
    const t = await start({ ...AUTH, limits: { maxPublishBytes: 100 } })
    const response = await post(t, { channel: 'user/alice', data: 'x'.repeat(1000) })
    expect(response.status).toBe(401)
  })

  it('over WebSocket: ack on its own channel, an error frame naming the channel elsewhere, the connection stays', async () => {
    const t = await start()
    const ws = await openWs(t)
    try {
      ws.send({ type: 'auth', token: 'user-alice' })
      ws.send({ type: 'publish', id: 'a', channel: 'public', data: 1 })
      ws.send({ type: 'publish', id: 'b', channel: 'user/alice', data: 2 })
      expect(await ws.waitFrame((f) => f.id === 'a')).toMatchObject({
        type: 'error',
        error: { code: 'RT_ERR_AUTH_FORBIDDEN', channels: ['public'] },
      })
      expect(await ws.waitFrame((f) => f.id === 'b')).toMatchObject({ type: 'ack' })
    } finally {
      ws.ws.terminate()
    }
  })

  it('keys the publish rate by identity: one user over its burst does not spend another one', async () => {
    const t = await start({ ...AUTH, limits: { publishBurst: 2, publishPerSecond: 0.01 } })
    for (const status of [201, 201, 429]) expect((await post(t, { channel: 'user/alice', data: 1 }, bearer('user-alice'))).status).toBe(status)
    expect((await post(t, { channel: 'user/bob', data: 1 }, bearer('user-bob'))).status).toBe(201)
  })

  it('sets request.pushlineIdentity for the app hooks', async () => {
    const seen: unknown[] = []
    const t = await startTestApp({
      register: async (app) => {
        app.addHook('onResponse', async (request) => {
          seen.push(request.pushlineIdentity)
        })
        await app.register(pushline, { prefix: '/rt', ...AUTH })
      },
    })
    apps.push(t)
    expect((await post(t, { channel: 'user/alice', data: 1 }, bearer('user-alice'))).status).toBe(201)
    expect(seen).toEqual([{ user: 'alice' }])
  })
})

describe('authenticate and the limits', () => {
  it('is asked with the transport it serves, and the limits use limits.clientKey(request, identity) when given', async () => {
    const seen: string[] = []
    const keys: string[] = []
    const t = await start({
      authenticate: (_request, { token, transport }) => {
        seen.push(transport)
        return token === undefined ? null : { user: token, tenant: 'acme' }
      },
      limits: {
        maxConnectionsPerClient: 1,
        clientKey: (request, identity) => {
          const key = `${String(identity?.tenant ?? request.ip)}`
          keys.push(key)
          return key
        },
      },
    })
    const opened: TestSubscriber[] = []
    for (const client of CLIENTS) {
      if (client.name === 'longpoll') continue
      const sub = await client.subscribe(t, { channels: ['a'], headers: bearer(`u-${client.name}`) })
      opened.push(sub)
      await sub.close()
      await until(() => t.app.pushline.metrics().transports[client.name].connections === 0, 'closed')
    }
    expect((await t.fetch('/poll?channel=a', { headers: bearer('u-poll') })).status).toBe(200)
    expect((await post(t, { channel: 'a', data: 1 }, bearer('u-pub'))).status).toBe(201)
    expect(seen).toEqual(['websocket', 'sse', 'ndjson', 'longpoll', 'publish'])
    expect(new Set(keys)).toEqual(new Set(['127.0.0.1', 'acme']))
    // One slot per tenant: a second user of acme is refused while the first holds its stream.
    const holder = await ndjsonClient.subscribe(t, { channels: ['a'], headers: bearer('u-1') })
    const refused = await ndjsonClient.subscribe(t, { channels: ['a'], headers: bearer('u-2') }).catch((e: unknown) => e)
    expect(refused).toMatchObject({ status: 429, code: 'RT_ERR_LIMIT_CLIENT_CONNECTIONS' })
    await holder.close()
  })
})

describe('a token in the query string', () => {
  it('is read only when credentials.queryParam is set', async () => {
    const off = await start()
    expect((await off.fetch('/poll?channel=public&access_token=user-alice')).status).toBe(401)
    const on = await start({ ...AUTH, credentials: { queryParam: 'access_token' } })
    expect((await on.fetch('/poll?channel=public&access_token=user-alice')).status).toBe(200)
    expect((await on.fetch('/poll?channel=public&token=user-alice')).status).toBe(401)
  })

  it("never reaches pushline's own logs, and none at all with the documented req serializer", async () => {
    const token = 'user-secret~9999999999999'
    const lines: string[] = []
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean))
        done()
      },
    })
    const scrub = (url: string | undefined) => (url ?? '').replace(/([?&]access_token=)[^&]*/g, '$1[redacted]')
    for (const serializer of [false, true]) {
      lines.length = 0
      const t = await startTestApp({
        logger: {
          level: 'trace',
          stream,
          ...(serializer ? { serializers: { req: (req: { method: string; url?: string }) => ({ method: req.method, url: scrub(req.url) }) } } : {}),
        },
        register: (app) => app.register(pushline, { prefix: '/rt', ...AUTH, credentials: { queryParam: 'access_token' } }),
      })
      apps.push(t)
      // A stream, a refused poll (an error line) and a WebSocket, all at trace level, the token in their URLs.
      const response = await t.fetch(`/stream?channel=user/secret&access_token=${encodeURIComponent(token)}`)
      expect(response.status).toBe(200)
      await response.body?.cancel()
      expect((await t.fetch(`/poll?channel=secret&access_token=${encodeURIComponent(token)}`)).status).toBe(403)
      const ws = await openWs(t)
      ws.ws.close()
      await ws.closed
      await t.close()
      const pushlineLines = lines.filter((line) => line.includes('pushline'))
      // The connection's debug lines name its user, and nothing else of the identity.
      const opened = pushlineLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'pushline: connection open' && line.transport === 'ndjson')
      expect(opened).toMatchObject({ user: 'secret', clientKey: 'user:secret' })
      expect(JSON.stringify(opened)).not.toContain('expiresAt')
      expect(pushlineLines.length).toBeGreaterThan(0)
      expect(pushlineLines.filter((line) => line.includes(token) || line.includes(encodeURIComponent(token)))).toEqual([])
      const anywhere = lines.filter((line) => line.includes('9999999999999'))
      // fastify's own request line has the URL unless the app redacts it, as the README says.
      if (serializer) expect(anywhere).toEqual([])
      else expect(anywhere.length).toBeGreaterThan(0)
    }
  })
})
