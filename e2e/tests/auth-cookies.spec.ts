import WebSocket from 'ws'
import { SESSION_COOKIE } from '../fixtures/auth/auth-app.js'
import { expect, test } from '../fixtures/auth/fixture.js'
import {
  ENDPOINTS,
  expectEveryEvent,
  harnessRecord,
  openHarness,
  publishFromPage,
  receivedCount,
  startClient,
  subscribeAll,
  TRANSPORT_MODES,
  transportsOf,
  waitReady,
} from '../fixtures/auth/harness-page.js'

// #14, case 3: cookie mode cross-origin. The page is served from one origin (http://localhost:<page>), the API
// from another (http://localhost:<api>), through real nginx; the session cookie is set by the API's /auth/login
// answer to a credentialed fetch, with `SameSite=None; Secure; HttpOnly`: Chromium accepts `Secure` cookies from
// http://localhost (a potentially trustworthy origin), so this is the attribute set a real cross-site deployment
// over https would use. The client runs with `credentials: 'include'` and no token. Then a page on a FOREIGN
// origin (http://localhost:<foreign>, not on the allow-list) in the same browser, which holds the valid cookie, is
// refused on every transport: a coded 403, no data, and `authenticate` is never asked.
const MINE = ['user/alice', 'room/lobby']
const COUNT = 500

for (const mode of TRANSPORT_MODES) {
  test(`auth 3. ${mode}: cookie credentials cross-origin; a foreign origin with the cookie is refused`, async ({ page, context, authApp, authNginx }) => {
    const nginx = await authNginx('auth-cross-origin')
    const pageOrigin = `http://localhost:${nginx.port}`
    const api = `http://localhost:${nginx.extraPorts.API}`
    const foreign = `http://localhost:${nginx.extraPorts.FOREIGN}`
    authApp.allowedOrigins.add(pageOrigin)

    await openHarness(page, pageOrigin)
    expect(await page.evaluate(({ a }) => window.authHarness?.login(a, 'alice'), { a: api })).toBe(200)
    const cookies = await context.cookies(api)
    expect(cookies.map((c) => c.name), 'Chromium stored the session cookie').toContain(SESSION_COOKIE)

    await startClient(page, { url: `${api}/rt`, authBase: api, credentials: 'include', transports: transportsOf(mode) })
    await subscribeAll(page, { mine: MINE })
    await waitReady(page, 'mine')
    await authApp.publishNumbered([...MINE, 'user/bob'], COUNT)
    await expectEveryEvent(page, 'mine', MINE, COUNT)
    expect(await publishFromPage(page, 'room/lobby', { text: 'by cookie' })).toMatchObject({ ok: true })
    expect(await publishFromPage(page, 'user/bob', { text: 'not mine' })).toMatchObject({ ok: false, error: { code: 'RT_ERR_AUTH_FORBIDDEN' } })

    const fromPage = authApp.authentications.filter((a) => a.origin === pageOrigin)
    expect(fromPage.length).toBeGreaterThan(0)
    expect(fromPage.every((a) => a.via === 'cookie' && a.user === 'alice')).toBe(true)
    if (mode !== 'auto') {
      const streams = fromPage.filter((a) => a.transport !== 'publish').map((a) => a.transport)
      expect(new Set(streams)).toEqual(new Set([mode]))
    }

    // The foreign origin: same browser, same valid cookie. First the same client as the app's: it is refused at
    // negotiate already (403 RT_ERR_ORIGIN_FORBIDDEN, which CORS hides from the page: the client sees a network
    // error). Then what a hostile page would do: open the transport's endpoint (all four for `auto`) and publish
    // with the browser's own APIs, which carry the cookie. Each is refused at the first admission step.
    const intruder = await context.newPage()
    await openHarness(intruder, foreign)
    await startClient(intruder, { url: `${api}/rt`, authBase: api, credentials: 'include', transports: transportsOf(mode) })
    await subscribeAll(intruder, { mine: MINE })
    const attacked = mode === 'auto' ? (Object.keys(ENDPOINTS) as (keyof typeof ENDPOINTS)[]) : [mode]
    await intruder.evaluate(
      ({ a, endpoints, channels }) => {
        for (const endpoint of [...endpoints, 'publish' as const]) window.authHarness?.attack(a, endpoint, channels)
      },
      { a: api, endpoints: attacked, channels: MINE },
    )
    const publishing = authApp.publishNumbered(MINE, 200, 0, COUNT)
    const refusedPublish = await publishFromPage(intruder, 'room/lobby', { text: 'hijacked' })
    await publishing
    expect(refusedPublish.ok, 'publish from the foreign origin').toBe(false)

    const fromForeign = () => authApp.requests.filter((r) => r.origin === foreign && r.method !== 'OPTIONS')
    const paths = [...attacked.map((t) => ENDPOINTS[t]), '/rt/publish', '/rt/negotiate']
    for (const path of paths) {
      // The browser sent the valid cookie from the foreign page to each endpoint...
      await expect.poll(() => fromForeign().filter((r) => r.path === path && r.cookie && r.status !== undefined).length, { message: `foreign ${path} with the cookie` }).toBeGreaterThanOrEqual(1)
    }
    // ...and every such request was refused, coded, before authenticate.
    // (CORS preflights carry no cookie and are not the question here.)
    for (const request of fromForeign()) expect(request, `${request.method} ${request.path}`).toMatchObject({ status: 403, code: 'RT_ERR_ORIGIN_FORBIDDEN' })
    expect(authApp.authentications.filter((a) => a.origin === foreign), 'authenticate never runs for a foreign origin').toEqual([])
    await expect.poll(async () => Object.values((await harnessRecord(intruder)).attacks).every((a) => a.outcome !== '')).toBe(true)
    const attacks = (await harnessRecord(intruder)).attacks
    for (const [endpoint, outcome] of Object.entries(attacks)) {
      expect(outcome.messages, `the foreign page read nothing from ${endpoint} (${outcome.outcome})`).toBe(0)
      if (endpoint === 'websocket') expect(outcome.opened, 'the foreign WebSocket never opened').toBe(false)
    }
    expect(await receivedCount(intruder, 'mine'), 'the foreign page got no data').toBe(0)
    const intruderRecord = await harnessRecord(intruder)
    test.info().annotations.push({
      type: 'foreign origin',
      description: JSON.stringify({ attacks, clientErrors: intruderRecord.clientErrors.slice(0, 2), requests: [...new Set(fromForeign().map((r) => `${r.method} ${r.path} ${r.status}`))] }),
    })
    // The page that owns the cookie kept every event meanwhile.
    await expectEveryEvent(page, 'mine', MINE, COUNT + 200)
  })
}

// What the browser cannot show (CORS hides a refused answer's body from the page): the same refusal read from Node,
// with the foreign Origin and a valid session cookie, on the HTTP transports and the WebSocket upgrade.
test('auth 3. the foreign-origin refusal is coded on every transport (read outside the browser)', async ({ authApp, authNginx }) => {
  const nginx = await authNginx('auth-cross-origin')
  const apiIp = `http://127.0.0.1:${nginx.extraPorts.API}`
  const foreign = `http://localhost:${nginx.extraPorts.FOREIGN}`
  authApp.allowedOrigins.add(`http://localhost:${nginx.port}`)
  const { token } = authApp.tokens.issue('alice', 60_000)
  const headers = { origin: foreign, cookie: `${SESSION_COOKIE}=${token}` }
  for (const path of [ENDPOINTS.sse, ENDPOINTS.ndjson, ENDPOINTS.longpoll]) {
    const response = await fetch(`${apiIp}${path}?channel=user/alice`, { headers })
    expect(response.status, path).toBe(403)
    expect(await response.json()).toMatchObject({ error: { code: 'RT_ERR_ORIGIN_FORBIDDEN' } })
  }
  const publish = await fetch(`${apiIp}/rt/publish`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'room/lobby', data: { text: 'x' } }),
  })
  expect(publish.status).toBe(403)
  expect(await publish.json()).toMatchObject({ error: { code: 'RT_ERR_ORIGIN_FORBIDDEN' } })
  const upgrade = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const socket = new WebSocket(`${apiIp.replace('http', 'ws')}${ENDPOINTS.websocket}`, { headers })
    socket.on('unexpected-response', (_request, response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    socket.on('open', () => reject(new Error('the WebSocket upgrade from a foreign origin was accepted')))
    socket.on('error', (err) => reject(err))
  })
  expect(upgrade.status).toBe(403)
  expect(JSON.parse(upgrade.body)).toMatchObject({ error: { code: 'RT_ERR_ORIGIN_FORBIDDEN' } })
  // The same cookie from the allowed origin is accepted (the refusal above is the Origin's, not the cookie's).
  const ok = await fetch(`${apiIp}${ENDPOINTS.longpoll}?channel=user/alice`, { headers: { ...headers, origin: `http://localhost:${nginx.port}` } })
  expect(ok.status).toBe(200)
})
