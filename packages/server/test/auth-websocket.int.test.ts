import { afterEach, describe, expect, it } from 'vitest'
import type { PushlineOptions } from '../src/index.js'
import { startApp, type TestApp } from './helpers/app.js'
import { AUTH, bearer } from './helpers/auth.js'
import { openWs, type RawWs } from './helpers/ws-client.js'

// The WebSocket `auth` message: what a browser sends, since it can set no header on a WebSocket.
describe('WebSocket auth message', () => {
  const apps: TestApp[] = []
  const sockets: RawWs[] = []
  const start = async (options: PushlineOptions = AUTH): Promise<TestApp> => {
    const app = await startApp(options)
    apps.push(app)
    return app
  }
  const open = async (app: TestApp, headers?: Record<string, string>): Promise<RawWs> => {
    const ws = await openWs(app, headers)
    sockets.push(ws)
    return ws
  }
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.ws.terminate()
    await Promise.all(apps.splice(0).map((a) => a.close()))
  })

  it('authenticates with a first auth message, answers nothing for it, and keeps the order of what follows', async () => {
    const t = await start()
    const ws = await open(t)
    ws.send({ type: 'auth', token: 'user-alice' })
    ws.send({ type: 'subscribe', channels: ['user/alice'] })
    ws.send({ type: 'publish', id: 'p1', channel: 'user/alice', data: 'hi' })
    const ack = await ws.waitFrame((f) => f.type === 'ack')
    const event = await ws.waitFrame((f) => f.type === 'event')
    expect(event).toMatchObject({ channel: 'user/alice', data: 'hi', cursor: ack.cursor })
    const types = ws.frames.map((f) => f.type)
    expect(types[0]).toBe('hello')
    expect(types.indexOf('subscribed')).toBeLessThan(types.indexOf('event'))
    expect(ws.frames.some((f) => f.type === 'error')).toBe(false)
  })

  it("uses the upgrade's own Authorization header when the first message is not auth", async () => {
    const t = await start()
    const ws = await open(t, bearer('user-bob'))
    ws.send({ type: 'subscribe', channels: ['user/bob'] })
    await ws.waitFrame((f) => f.type === 'subscribed')
    const refused = await open(t)
    refused.send({ type: 'subscribe', channels: ['public'] })
    expect((await refused.waitFrame((f) => f.type === 'error')).error).toMatchObject({ code: 'RT_ERR_AUTH_UNAUTHENTICATED' })
    expect((await refused.closed)[0]).toBe(4401)
  })

  it('refuses a bad token in the auth message: error frame, then close 4401', async () => {
    const t = await start()
    const ws = await open(t, bearer('user-bob'))
    ws.send({ type: 'auth', token: 'nobody' })
    ws.send({ type: 'subscribe', channels: ['public'] })
    expect((await ws.waitFrame((f) => f.type === 'error')).error).toMatchObject({ code: 'RT_ERR_AUTH_UNAUTHENTICATED' })
    expect((await ws.closed)[0]).toBe(4401)
    expect(ws.frames.some((f) => f.type === 'subscribed')).toBe(false)
  })

  it('refuses a second auth message, and auth after another message, with 4400 RT_ERR_WS_MESSAGE_INVALID', async () => {
    const t = await start()
    const twice = await open(t)
    twice.send({ type: 'auth', token: 'user-alice' })
    twice.send({ type: 'auth', token: 'user-ops' })
    expect((await twice.waitFrame((f) => f.type === 'error')).error).toMatchObject({ code: 'RT_ERR_WS_MESSAGE_INVALID' })
    expect((await twice.closed)[0]).toBe(4400)
    const late = await open(t, bearer('user-alice'))
    late.send({ type: 'subscribe', channels: ['public'] })
    await late.waitFrame((f) => f.type === 'subscribed')
    late.send({ type: 'auth', token: 'user-ops' })
    expect((await late.waitFrame((f) => f.type === 'error')).error).toMatchObject({ code: 'RT_ERR_WS_MESSAGE_INVALID' })
    expect((await late.closed)[0]).toBe(4400)
  })

  it('accepts and ignores an auth message when there is no authenticate hook', async () => {
    const t = await start({})
    const ws = await open(t)
    ws.send({ type: 'auth', token: 'anything' })
    ws.send({ type: 'subscribe', channels: ['public'] })
    await ws.waitFrame((f) => f.type === 'subscribed')
    await t.app.pushline.publish('public', 1)
    expect(await ws.waitFrame((f) => f.type === 'event')).toMatchObject({ data: 1 })
  })

  it('names the refused channels in the error frame of a multi-channel subscribe', async () => {
    const t = await start()
    const ws = await open(t)
    ws.send({ type: 'auth', token: 'user-bob' })
    ws.send({ type: 'subscribe', channels: ['public', 'user/alice', 'user/bob', 'secret'] })
    const error = await ws.waitFrame((f) => f.type === 'error')
    expect(error.error).toMatchObject({ code: 'RT_ERR_AUTH_FORBIDDEN', channels: ['user/alice', 'secret'] })
    expect((await ws.closed)[0]).toBe(4403)
  })

  it('moves the connection slot from the address to the identity: a user over its limit gets 4429', async () => {
    const t = await start({ ...AUTH, limits: { maxConnectionsPerClient: 2 } })
    const first = await open(t)
    first.send({ type: 'auth', token: 'user-alice' })
    const second = await open(t)
    second.send({ type: 'auth', token: 'user-alice' })
    second.send({ type: 'subscribe', channels: ['public'] })
    await second.waitFrame((f) => f.type === 'subscribed')
    // Both now count against user:alice, not 127.0.0.1: two more from the same address are still let in...
    const third = await open(t)
    third.send({ type: 'auth', token: 'user-alice' })
    expect((await third.waitFrame((f) => f.type === 'error')).error).toMatchObject({ code: 'RT_ERR_LIMIT_CLIENT_CONNECTIONS' })
    expect((await third.closed)[0]).toBe(4429)
    // ...and another user from the same address is not affected by alice's count.
    const bob = await open(t)
    bob.send({ type: 'auth', token: 'user-bob' })
    bob.send({ type: 'subscribe', channels: ['public'] })
    await bob.waitFrame((f) => f.type === 'subscribed')
  })
})
