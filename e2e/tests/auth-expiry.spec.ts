import { expect, test } from '../fixtures/auth/fixture.js'
import { ENDPOINTS, expectEveryEvent, harnessRecord, receivedCount, startAlice, subscribeAll, subscription, TRANSPORT_MODES, waitReady } from '../fixtures/auth/harness-page.js'

// #14, case 2: getToken hands out tokens valid 1.5 s while 3,000 events per channel are published over about 6 s:
// the server ends each connection (or caps each held poll) at its expiry, the client asks getToken again and
// resumes on the same transport from its cursor: nothing lost, repeated or out of order.
const CHANNELS = ['user/alice', 'room/lobby']
const COUNT = 3000
const TTL_MS = 1500

for (const mode of TRANSPORT_MODES) {
  test(`auth 2. ${mode}: a token that expires mid-stream is refreshed with nothing lost, repeated or out of order`, async ({
    page,
    authApp,
    authNginx,
  }) => {
    const nginx = await authNginx('auth-same-origin')
    await startAlice(page, authApp, nginx.port, { tokenTtlMs: TTL_MS, mode })
    await subscribeAll(page, { mine: CHANNELS })
    await waitReady(page, 'mine')

    const started = Date.now()
    await authApp.publishNumbered(CHANNELS, COUNT, 500)
    const publishMs = Date.now() - started
    await expectEveryEvent(page, 'mine', CHANNELS, COUNT)

    const record = await harnessRecord(page)
    // Publishing spanned several token lifetimes, and the client really asked for fresh tokens.
    expect(publishMs).toBeGreaterThan(3 * TTL_MS)
    expect(record.getTokenCalls).toBeGreaterThanOrEqual(3)
    expect(record.getTokenFailures).toBe(0)
    expect((await subscription(page, 'mine')).errors).toEqual([])
    // The server saw each fresh token (and, on the streams, ended the expired connections: the client came back).
    const streamAuths = authApp.authentications.filter((a) => a.transport !== 'publish' && a.user === 'alice')
    expect(streamAuths.length).toBeGreaterThanOrEqual(3)
    // The server really ended connections at expiry: a stream (or WebSocket) was opened again for each fresh
    // token, and long-polls met RT_ERR_AUTH_EXPIRED (a held poll is capped at its expiry; the next one is refused).
    if (mode !== 'auto') {
      const onEndpoint = authApp.requests.filter((r) => r.path === ENDPOINTS[mode])
      const expired = onEndpoint.filter((r) => r.status === 401 && r.code === 'RT_ERR_AUTH_EXPIRED').length
      test.info().annotations.push({ type: 'expiry', description: `${onEndpoint.length} ${mode} requests, ${expired} answered 401 RT_ERR_AUTH_EXPIRED, getToken x${record.getTokenCalls} in ${publishMs} ms` })
      if (mode === 'longpoll') expect(expired).toBeGreaterThanOrEqual(2)
      else expect(onEndpoint.length).toBeGreaterThanOrEqual(3)
    }
    // Not a transport failure: a forced transport is never left; the automatic choice never moves for auth reasons.
    if (mode !== 'auto') expect(record.switches.every((s) => s.name === mode)).toBe(true)
    expect(record.switches.filter((s) => /auth|expired|401/i.test(s.reason))).toEqual([])
  })
}

// #14, revocation: `app.pushline.disconnect({ user })` in the middle of 1,500 events per channel ends alice's
// connection (RT_ERR_AUTH_REVOKED); the client asks getToken again and resumes from its cursor on the same
// transport: nothing lost, repeated or out of order.
for (const mode of TRANSPORT_MODES) {
  test(`auth 2. ${mode}: disconnect({ user }) mid-stream: the client renews its token and resumes with nothing lost`, async ({
    page,
    authApp,
    authNginx,
  }) => {
    const nginx = await authNginx('auth-same-origin')
    await startAlice(page, authApp, nginx.port, { tokenTtlMs: 3_600_000, mode })
    await subscribeAll(page, { mine: CHANNELS })
    await waitReady(page, 'mine')

    const publishing = authApp.publishNumbered(CHANNELS, 1500, 500)
    // Once events flow (a few hundred received), while publishing goes on. A long-poll between two polls holds no
    // connection: revoke until one was ended (the client polls again at once).
    await expect.poll(() => receivedCount(page, 'mine')).toBeGreaterThanOrEqual(600)
    await expect.poll(() => authApp.disconnect('alice'), { message: 'a connection of alice was ended' }).toBeGreaterThan(0)
    await publishing
    await expectEveryEvent(page, 'mine', CHANNELS, 1500)

    // (A revoked held poll's 401 can reach the client after the last events: wait for the renewal, don't sample it.)
    await expect.poll(async () => (await harnessRecord(page)).getTokenCalls, { message: 'getToken asked again after the revocation' }).toBeGreaterThanOrEqual(2)
    const record = await harnessRecord(page)
    expect((await subscription(page, 'mine')).errors).toEqual([])
    if (mode !== 'auto') expect(record.switches.every((s) => s.name === mode)).toBe(true)
    expect(record.switches.filter((s) => /auth|revoked|401/i.test(s.reason))).toEqual([])
  })
}
