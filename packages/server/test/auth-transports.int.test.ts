import { describe, expect, it } from 'vitest'
import { until } from './helpers/app.js'
import { AUTH, bearer } from './helpers/auth.js'
import { CLIENTS } from './helpers/clients.js'
import { scenario } from './helpers/scenario.js'

// An odd but valid user id: its per-user channel `user/a.b:c@d-1` uses every punctuation a channel name may have.
const ODD = 'a.b:c@d-1'

// Credentials on each transport, with real clients (ws, eventsource, undici fetch, plain polls) and real hooks.
describe.each(CLIENTS)('$name', (client) => {
  const { start, subscribe, refusalOf } = scenario(client, AUTH)

  it('gives a token user every event of the channels it may read, its own user/<id> included, and nothing else', async () => {
    const t = await start()
    const sub = await subscribe(t, ['public', `user/${ODD}`], undefined, bearer(`user-${ODD}`))
    const other = await subscribe(t, ['public', 'user/bob'], undefined, bearer('user-bob'))
    const expected: string[] = []
    for (let i = 0; i < 30; i++) {
      const channel = ['public', `user/${ODD}`, 'user/bob', 'secret'][i % 4] ?? 'public'
      const event = await t.app.pushline.publish(channel, { i })
      if (channel === 'public' || channel === `user/${ODD}`) expected.push(event.cursor)
    }
    // A last event on a channel it reads: once it is in, everything before it is too.
    expected.push((await t.app.pushline.publish('public', 'last')).cursor)
    const events = await sub.waitEvents(expected.length)
    expect(events.map((e) => e.cursor)).toEqual(expected)
    expect(new Set(events.map((e) => e.channel))).toEqual(new Set(['public', `user/${ODD}`]))
    const bobs = await other.waitEvents(16)
    expect(bobs.every((e) => e.channel === 'public' || e.channel === 'user/bob')).toBe(true)
  })

  it("refuses another user's channel with 403 naming it, and an anonymous or bad token with 401, delivering nothing", async () => {
    const t = await start()
    const denied = await refusalOf(subscribe(t, ['public', `user/${ODD}`, 'secret'], undefined, bearer('user-bob')))
    expect([403, 4403]).toContain(denied.status)
    expect(denied.code).toBe('RT_ERR_AUTH_FORBIDDEN')
    expect(denied.channels).toEqual([`user/${ODD}`, 'secret'])
    const single = await refusalOf(subscribe(t, ['secret'], undefined, bearer('user-bob')))
    expect(single.channels).toEqual(['secret'])
    for (const headers of [undefined, bearer('nobody'), { authorization: 'Basic dXNlci1ib2I=' }]) {
      const anonymous = await refusalOf(subscribe(t, ['public'], undefined, headers))
      expect([401, 4401]).toContain(anonymous.status)
      expect(anonymous.code).toBe('RT_ERR_AUTH_UNAUTHENTICATED')
    }
    expect(t.app.pushline.metrics().transports[client.name].eventsSent).toBe(0)
  })

  it('refuses an identity that has already expired with 401 RT_ERR_AUTH_EXPIRED', async () => {
    const t = await start()
    const expired = await refusalOf(subscribe(t, ['public'], undefined, bearer(`user-bob~${Date.now() - 1}`)))
    expect([401, 4401]).toContain(expired.status)
    expect(expired.code).toBe('RT_ERR_AUTH_EXPIRED')
  })

  it('ends the stream when the identity expires: a coded ending, and nothing delivered after it', async () => {
    // No heartbeat within the test: the expiry alone must end the stream.
    const t = await start({ heartbeatMs: 120_000 })
    const expiresAt = Date.now() + 1500
    const sub = await subscribe(t, ['public'], undefined, bearer(`user-bob~${expiresAt}`))
    for (let i = 0; i < 3; i++) await t.app.pushline.publish('public', i)
    expect(await sub.waitEvents(3)).toHaveLength(3)
    if (client.name === 'longpoll') {
      // The held poll is answered at the expiry (204, after the events; the first 204 is the helper's holdMs=0 poll),
      // and the next one is refused.
      await until(() => sub.frames.findLastIndex((f) => f.type === 'expired') > sub.frames.findLastIndex((f) => f.type === 'event'), 'the hold answered at the expiry')
      const next = await t.fetch(`/poll?channel=public&cursor=${(await t.app.pushline.log.head())}`, { headers: bearer(`user-bob~${expiresAt}`) })
      expect(next.status).toBe(401)
      expect(((await next.json()) as { error: { code: string } }).error.code).toBe('RT_ERR_AUTH_EXPIRED')
    } else if (client.name === 'websocket') {
      const error = await sub.waitFrame('error')
      expect(error.error).toMatchObject({ code: 'RT_ERR_AUTH_EXPIRED' })
      await until(() => (sub as unknown as { closeCode(): number | undefined }).closeCode(), 'the close')
      expect((sub as unknown as { closeCode(): number | undefined }).closeCode()).toBe(4401)
    } else {
      const close = await sub.waitFrame('close')
      expect(close).toMatchObject({ type: 'close', code: 'RT_ERR_AUTH_EXPIRED' })
    }
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt - 50)
    await until(() => t.app.pushline.metrics().transports[client.name].connections === 0, 'the connection ended')
    for (let i = 0; i < 3; i++) await t.app.pushline.publish('public', `late ${i}`)
    await t.app.pushline.publish('public', 'last')
    expect(sub.events()).toHaveLength(3)
    expect(t.app.pushline.metrics().transports[client.name].eventsSent).toBe(3)
  })

  it("disconnect({ user }) ends that user's connections on this instance with RT_ERR_AUTH_REVOKED, and only theirs", async () => {
    const t = await start()
    const cursor = await t.app.pushline.log.head()
    // A held poll is answered 401 itself; the helper's poll loop would hide it.
    const held = client.name === 'longpoll' ? t.fetch(`/poll?channel=public&cursor=${cursor}`, { headers: bearer('user-alice') }) : undefined
    const alice = held ? undefined : await subscribe(t, ['public'], cursor, bearer('user-alice'))
    const bob = await subscribe(t, ['public'], cursor, bearer('user-bob'))
    await until(() => t.app.pushline.metrics().transports[client.name].connections === 2, 'both connected (held)')
    expect(t.app.pushline.disconnect({ user: 'alice' }, 'logged out')).toBe(1)
    if (held) {
      const answer = await held
      expect(answer.status).toBe(401)
      expect(await answer.json()).toEqual({ error: { code: 'RT_ERR_AUTH_REVOKED', message: 'logged out' } })
    } else if (client.name === 'websocket') {
      expect((await alice?.waitFrame('error'))?.error).toMatchObject({ code: 'RT_ERR_AUTH_REVOKED', message: 'logged out' })
      await until(() => (alice as unknown as { closeCode(): number | undefined }).closeCode() === 4401, 'close 4401')
    } else {
      expect(await alice?.waitFrame('close')).toMatchObject({ code: 'RT_ERR_AUTH_REVOKED', reason: 'logged out' })
    }
    await t.app.pushline.publish('public', 'after')
    expect((await bob.waitEvents(1))[0]?.data).toBe('after')
    // Bob's next poll must be held again before it can be ended.
    if (held) await until(() => t.app.pushline.metrics().transports.longpoll.connections === 1, "bob's next poll held")
    expect(t.app.pushline.disconnect((identity) => identity.user === 'bob')).toBe(1)
  })
})

