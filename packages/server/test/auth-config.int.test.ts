import { PushlineError } from '@pushline/core'
import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { type PushlineOptions, pushline } from '../src/index.js'
import { startApp, type TestApp } from './helpers/app.js'
import { CLIENTS, Refused } from './helpers/clients.js'

const apps: TestApp[] = []
const start = async (options: PushlineOptions): Promise<TestApp> => {
  const app = await startApp(options)
  apps.push(app)
  return app
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()))
})

/** The error `app.register(pushline, options)` fails with (options as a user's JavaScript might pass them). */
async function registerError(options: unknown): Promise<PushlineError> {
  const app = Fastify()
  try {
    await app.register(pushline, options as PushlineOptions)
    await app.ready()
  } catch (error) {
    expect(error).toBeInstanceOf(PushlineError)
    return error as PushlineError
  } finally {
    await app.close().catch(() => {})
  }
  throw new Error('registered without an error')
}

const cookieAuth: Pick<PushlineOptions, 'authenticate'> = {
  authenticate: (request) => (request.headers.cookie === 'session=alice' ? { user: 'alice' } : null),
}

describe('config errors', () => {
  it('refuses cookie credentials without an Origin allow-list, saying why', async () => {
    for (const allowedOrigins of [undefined, '*']) {
      const error = await registerError({ ...cookieAuth, credentials: { cookies: true }, allowedOrigins })
      expect(error.code).toBe('RT_ERR_CONFIG_INVALID')
      expect(error.message).toContain('allowedOrigins')
      expect(error.message).toContain('cross-site WebSocket hijacking')
    }
  })

  it('refuses metrics: true alone and a metrics object that says nothing about who may scrape', async () => {
    for (const metrics of [true, {}, { path: '/m' }]) {
      const error = await registerError({ metrics })
      expect(error.code).toBe('RT_ERR_CONFIG_INVALID')
      expect(error.message).toMatch(/metrics.*(authorize|public: true)/)
    }
  })

  it('refuses a query parameter name that is not a plain name', async () => {
    expect((await registerError({ credentials: { queryParam: 'a b' } })).code).toBe('RT_ERR_CONFIG_INVALID')
  })
})

describe('cookie credentials', () => {
  // A page of another site gets the user's cookie sent along: its Origin is what refuses it, on every transport.
  it.each(CLIENTS)('refuses a foreign Origin with a valid cookie on $name, and serves the allowed one', async (client) => {
    const t = await start({ ...cookieAuth, credentials: { cookies: true }, allowedOrigins: ['https://app.example'] })
    const refused = await client.subscribe(t, { channels: ['a'], headers: { cookie: 'session=alice', origin: 'https://evil.example' } }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(refused).toBeInstanceOf(Refused)
    expect((refused as Refused).status).toBe(403)
    expect((refused as Refused).code).toBe('RT_ERR_ORIGIN_FORBIDDEN')
    const sub = await client.subscribe(t, { channels: ['a'], headers: { cookie: 'session=alice', origin: 'https://app.example' } })
    await sub.close()
  })

  it('refuses a publish from a foreign Origin with a valid cookie', async () => {
    const t = await start({ ...cookieAuth, credentials: { cookies: true }, allowedOrigins: ['https://app.example'] })
    const publish = (origin: string) =>
      t.fetch('/publish', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: 'session=alice', origin },
        body: JSON.stringify({ channel: 'a', data: 1 }),
      })
    expect((await publish('https://evil.example')).status).toBe(403)
    expect((await publish('https://app.example')).status).toBe(201)
  })
})

describe('CORS', () => {
  const preflight = (t: TestApp, headers: Record<string, string>) => t.fetch('/sse', { method: 'OPTIONS', headers })

  it('allows Authorization in preflight, with credentials for an explicit list of origins', async () => {
    const t = await start({ allowedOrigins: ['https://app.example'] })
    const asked = await preflight(t, { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' })
    expect(asked.status).toBe(204)
    expect(asked.headers.get('access-control-allow-headers')).toMatch(/authorization/i)
    expect(asked.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(asked.headers.get('access-control-allow-credentials')).toBe('true')
    const unspecified = await preflight(t, { origin: 'https://app.example', 'access-control-request-method': 'GET' })
    expect(unspecified.headers.get('access-control-allow-headers')).toMatch(/authorization/i)
  })

  it("answers '*' without credentials when allowedOrigins is '*'", async () => {
    const t = await start({ allowedOrigins: '*' })
    const asked = await preflight(t, { origin: 'https://any.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' })
    expect(asked.headers.get('access-control-allow-origin')).toBe('*')
    expect(asked.headers.get('access-control-allow-credentials')).toBeNull()
    expect(asked.headers.get('access-control-allow-headers')).toMatch(/authorization/i)
    const poll = await t.fetch('/poll?channel=a', { headers: { origin: 'https://any.example' } })
    expect(poll.headers.get('access-control-allow-origin')).toBe('*')
    expect(poll.headers.get('access-control-allow-credentials')).toBeNull()
  })
})

describe('protected metrics', () => {
  it('refuses an anonymous scrape and serves an authorized one', async () => {
    const t = await start({ metrics: { authorize: (request) => request.headers.authorization === 'Bearer scrape' } })
    const anonymous = await t.fetch('/metrics')
    expect(anonymous.status).toBe(401)
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('RT_ERR_AUTH_UNAUTHENTICATED')
    const wrong = await t.fetch('/metrics', { headers: { authorization: 'Bearer guess' } })
    expect(wrong.status).toBe(401)
    const scraped = await t.fetch('/metrics', { headers: { authorization: 'Bearer scrape' } })
    expect(scraped.status).toBe(200)
    expect(await scraped.text()).toContain('pushline_connections')
  })

  it('lets a hook choose the answer (403), and fails closed when it throws', async () => {
    const forbidden = await start({
      metrics: {
        authorize: () => {
          throw new PushlineError('RT_ERR_AUTH_FORBIDDEN', 'not from here', { statusCode: 403 })
        },
      },
    })
    expect((await forbidden.fetch('/metrics')).status).toBe(403)
    const broken = await start({
      metrics: {
        authorize: () => {
          throw new Error('bug')
        },
      },
    })
    expect((await broken.fetch('/metrics')).status).toBe(401)
  })

  it('serves anyone with public: true; app.pushline.prometheus() gives the text with no endpoint at all', async () => {
    const open = await start({ metrics: { public: true } })
    expect((await open.fetch('/metrics')).status).toBe(200)
    const none = await start({})
    expect((await none.fetch('/metrics')).status).toBe(404)
    await none.app.pushline.publish('a', 1)
    expect(await none.app.pushline.prometheus()).toContain('pushline_publishes_total 1')
  })
})
