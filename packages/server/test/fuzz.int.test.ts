import fc from 'fast-check'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type TestApp, until } from './helpers/app.js'
import { openWs } from './helpers/ws-client.js'

const PATHS = ['/negotiate', '/publish', '/ws', '/sse', '/stream', '/poll', '/metrics', '/nope', '/publish/x', '']
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const
const CONTENT_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', '']

const queryValue = fc.oneof(
  fc.string(),
  fc.constantFrom('a', 'chat', 'a b', '', '%', 'x'.repeat(200), 'abc-1', 'zz-0', '-1', '0', '99999999999', 'abcdefghij-0'),
)
const queryPart = fc.tuple(fc.constantFrom('channel', 'cursor', 'holdMs', 'x', 'channel[]'), queryValue)
const body = fc.oneof(
  fc.constant(undefined),
  fc.string(),
  fc.json().map(String),
  fc.record({ channel: fc.oneof(fc.string(), fc.constantFrom('a', 'chat')), data: fc.jsonValue() }).map((v) => JSON.stringify(v)),
)

// Whatever arrives over HTTP, the answer is 2xx / 4xx (410 for resets) with a coded error body: never a 5xx.
describe('HTTP fuzz', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startApp({ holdMs: 30, heartbeatMs: 50, metrics: { public: true }, limits: { publishBurst: 1_000_000 } })
    await t.app.pushline.publish('a', 1)
  })
  afterAll(async () => {
    await t.close()
  })

  it('never answers 5xx and always codes its errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS),
        fc.constantFrom(...PATHS),
        fc.array(queryPart, { maxLength: 5 }),
        body,
        fc.constantFrom(...CONTENT_TYPES),
        fc.option(fc.constantFrom('abc-1', 'garbage', '', 'zz-9999999999999999'), { nil: undefined }),
        async (method, path, query, payload, contentType, lastEventId) => {
          const search = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')
          const headers: Record<string, string> = {}
          if (contentType) headers['content-type'] = contentType
          if (lastEventId !== undefined) headers['last-event-id'] = lastEventId
          const withBody = payload !== undefined && method !== 'GET' && method !== 'HEAD'
          const abort = new AbortController()
          const response = await request(`${t.base}${path}?${search}`, {
            method,
            headers,
            body: withBody ? payload : undefined,
            dispatcher: t.agent,
            signal: abort.signal,
          })
          const streaming = (response.headers['content-type'] ?? '').toString().match(/event-stream|ndjson/)
          if (streaming) {
            expect(response.statusCode).toBe(200)
            abort.abort()
            await response.body.text().catch(() => undefined)
            return
          }
          const text = await response.body.text()
          expect(response.statusCode, `${method} ${path}?${search} -> ${text}`).toBeLessThan(500)
          if (response.statusCode === 410 && path === '/poll' && method === 'GET') {
            // protocol 1: a long-poll at a cursor the log cannot serve (expired, another epoch) is 410 + a reset body
            expect(JSON.parse(text), text).toMatchObject({ type: 'reset', reason: expect.stringMatching(/^(expired|epoch)$/), cursor: expect.any(String) })
          } else if (response.statusCode >= 400 && method !== 'HEAD') {
            expect(JSON.parse(text).error.code, text).toMatch(/^RT_ERR_[A-Z_]+$/)
          }
        },
      ),
      { numRuns: 300 },
    )
    // Nothing leaked: every stream and hold the fuzz opened is gone.
    await until(() => Object.values(t.app.pushline.metrics().transports).every((c) => c.connections === 0), 'no connections left')
  })
})

// Whatever a WebSocket client sends, the server answers with frames or closes with a 4xxx / 1009 code, never 1011.
describe('WebSocket fuzz', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startApp({ limits: { publishBurst: 1_000_000 } })
  })
  afterAll(async () => {
    await t.close()
  })

  const message = fc.oneof(
    fc.string(),
    fc.json(),
    fc.record({
      type: fc.constantFrom('subscribe', 'publish', 'other'),
      channels: fc.oneof(fc.array(fc.oneof(fc.string(), fc.constantFrom('a', 'b'))), fc.jsonValue()),
      cursor: fc.oneof(fc.string(), fc.constantFrom('abc-1', 'zz-0')),
      id: fc.oneof(fc.string(), fc.integer()),
      channel: fc.oneof(fc.string(), fc.constant('a')),
      data: fc.jsonValue(),
    }, { requiredKeys: ['type'] }).map((v) => JSON.stringify(v)),
  )

  it('closes bad connections with coded close codes only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 8 }), async (messages) => {
        const client = await openWs(t)
        for (const each of messages) client.send(each)
        const outcome = await Promise.race([client.closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 30))])
        if (outcome !== 'open') expect(outcome[0] === 1009 || (outcome[0] >= 4400 && outcome[0] < 4500), String(outcome)).toBe(true)
        client.ws.terminate()
        await client.closed
      }),
      { numRuns: 60 },
    )
    await until(() => t.app.pushline.metrics().transports.websocket.connections === 0, 'no connections left')
    expect(t.app.pushline.metrics().transports.websocket.errors).toBe(0)
  })
})
