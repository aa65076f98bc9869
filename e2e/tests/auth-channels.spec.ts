import { expect, test } from '../fixtures/auth/fixture.js'
import {
  codes,
  expectEveryEvent,
  publishFromPage,
  startAlice,
  subscribeAll,
  subscription,
  TRANSPORT_MODES,
  waitReady,
} from '../fixtures/auth/harness-page.js'

// #14, case 1: a user with a bearer token (getToken, through nginx, same origin) gets every event of the channels it
// may read — its own `user/alice`, `room/*` by a prefix rule, an odd name — and nothing of the others; a denied
// subscription gets RT_ERR_AUTH_FORBIDDEN in onError and no data while the user's other subscription continues;
// publish is allowed and refused the same way. On each transport forced, and with the client's own choice.
const MINE = ['user/alice', 'room/lobby', 'room/a.b:c@d-1']
const COUNT = 1000

for (const mode of TRANSPORT_MODES) {
  test(`auth 1. ${mode}: a token reads its channels only; a denied subscription fails alone; publish allowed and refused`, async ({
    page,
    authApp,
    authNginx,
  }) => {
    const nginx = await authNginx('auth-same-origin')
    await startAlice(page, authApp, nginx.port, { tokenTtlMs: 3_600_000, mode })
    await subscribeAll(page, { mine: MINE, bobs: ['user/bob'], mixed: ['room/side', 'secret'] })
    await waitReady(page, 'mine')

    // As soon as the subscription is positioned: events on every channel, readable or not, interleaved.
    await authApp.publishNumbered([...MINE, 'user/bob', 'secret', 'room/side'], COUNT)
    await expectEveryEvent(page, 'mine', MINE, COUNT)

    for (const denied of ['bobs', 'mixed']) {
      await expect.poll(async () => codes((await subscription(page, denied)).errors), { message: `${denied} gets a coded error` }).toContain(
        'RT_ERR_AUTH_FORBIDDEN',
      )
      const sub = await subscription(page, denied)
      expect(sub.events, `${denied} received no data`).toEqual({})
    }
    // The server names the refused channels; a subscription that asked for only allowed ones is never failed.
    const named = async (name: string) => (await subscription(page, name)).errors.find((e) => e.code === 'RT_ERR_AUTH_FORBIDDEN')?.channels
    // (One 403 names every refused channel of the connection's request; each subscription naming one gets it.)
    for (const [name, refused] of [['bobs', 'user/bob'], ['mixed', 'secret']] as const) {
      const list = (await named(name)) ?? []
      expect(list, `${name}: the error names ${refused}`).toContain(refused)
      expect(list.filter((c) => [...MINE, 'room/side'].includes(c)), `${name}: no allowed channel is named`).toEqual([])
    }
    expect((await subscription(page, 'mine')).errors).toEqual([])

    // Publish the same way: allowed on room/* (and it comes back to the subscription), refused elsewhere, coded.
    const allowed = await publishFromPage(page, 'room/lobby', { text: 'hello from alice' })
    expect(allowed).toMatchObject({ ok: true })
    await expect.poll(async () => (await subscription(page, 'mine')).other).toBe(1)
    for (const channel of ['user/bob', 'secret']) {
      const refused = await publishFromPage(page, channel, { text: 'not mine' })
      expect(refused, `publish on ${channel}`).toMatchObject({ ok: false, error: { code: 'RT_ERR_AUTH_FORBIDDEN' } })
    }

    // Every authenticated request was alice's, by token (no cookie in this case).
    const auths = authApp.authentications
    expect(auths.length).toBeGreaterThan(0)
    expect(auths.every((a) => a.user === 'alice' && a.via === 'token')).toBe(true)
    if (mode !== 'auto') expect(auths.filter((a) => a.transport !== 'publish').every((a) => a.transport === mode)).toBe(true)
  })
}
