import { afterEach, describe, expect, it } from 'vitest'
import type { PushlineOptions } from '../src/index.js'
import { startApp, type TestApp, until } from './helpers/app.js'
import { openWs, upgradeStatus } from './helpers/ws-client.js'

// The WebSocket protocol: messages, acks, garbage, floods, origins and keepalive.
describe('websocket protocol', () => {
  let t: TestApp | undefined
  const start = async (options: PushlineOptions = {}) => {
    t = await startApp(options)
    return t
  }
  afterEach(async () => {
    await t?.close()
    t = undefined
  })

  it('says hello with the head on connect, before anything else', async () => {
    const app = await start()
    await app.app.pushline.publish('a', 1)
    const client = await openWs(app)
    const hello = await client.waitFrame((f) => f.type === 'hello')
    expect(hello).toMatchObject({ protocol: 1, cursor: await app.app.pushline.log.head() })
    expect(client.frames[0]?.type).toBe('hello')
  })

  it('acks a publish with its cursor and delivers it to subscribers', async () => {
    const app = await start()
    const client = await openWs(app)
    client.send({ type: 'subscribe', channels: ['a'] })
    await client.waitFrame((f) => f.type === 'subscribed')
    client.send({ type: 'publish', id: 'r1', channel: 'a', data: { text: 'hi' } })
    const ack = await client.waitFrame((f) => f.type === 'ack')
    expect(ack).toMatchObject({ id: 'r1' })
    expect(await client.waitFrame((f) => f.type === 'event')).toMatchObject({ channel: 'a', cursor: ack.cursor, data: { text: 'hi' } })
  })

  it('answers a bad publish with an error frame carrying its id, and stays open', async () => {
    const app = await start({ limits: { publishBurst: 2, publishPerSecond: 0.001 } })
    const client = await openWs(app)
    client.send({ type: 'publish', id: 'bad', channel: 'no spaces', data: 1 })
    expect(await client.waitFrame((f) => f.id === 'bad')).toMatchObject({ type: 'error', error: { code: 'RT_ERR_CHANNEL_INVALID' } })
    client.send({ type: 'publish', id: 'ok', channel: 'a', data: 1 })
    await client.waitFrame((f) => f.id === 'ok')
    client.send({ type: 'publish', id: 'limited', channel: 'a', data: 1 })
    const limited = await client.waitFrame((f) => f.id === 'limited')
    expect(limited).toMatchObject({ type: 'error', error: { code: 'RT_ERR_LIMIT_PUBLISH_RATE' } })
    expect((limited.error as { retryAfterSec: number }).retryAfterSec).toBeGreaterThan(0)
    expect(client.ws.readyState).toBe(client.ws.OPEN)
  })

  it('replaces the subscription on a second subscribe', async () => {
    const app = await start()
    const client = await openWs(app)
    client.send({ type: 'subscribe', channels: ['a'] })
    await client.waitFrame((f) => f.type === 'subscribed')
    client.send({ type: 'subscribe', channels: ['b'] })
    await client.waitFrame((f) => f.type === 'subscribed' && (f.channels as string[])[0] === 'b')
    await app.app.pushline.publish('a', 'old')
    await app.app.pushline.publish('b', 'new')
    await client.waitFrame((f) => f.type === 'event')
    expect(client.frames.filter((f) => f.type === 'event').map((f) => f.data)).toEqual(['new'])
  })

  it.each([
    ['text that is not JSON', 'not json {'],
    ['an unknown message type', JSON.stringify({ type: 'dance' })],
    ['a subscribe without channels', JSON.stringify({ type: 'subscribe' })],
    ['a JSON array', '[1,2]'],
  ])('closes with 4400 on %s', async (_what, message) => {
    const app = await start()
    const client = await openWs(app)
    client.send(message)
    expect(await client.closed).toEqual([4400, 'RT_ERR_WS_MESSAGE_INVALID'])
    expect(client.frames.find((f) => f.type === 'error')).toMatchObject({ error: { code: 'RT_ERR_WS_MESSAGE_INVALID' } })
  })

  it('closes with 4400 on a binary frame', async () => {
    const app = await start()
    const client = await openWs(app)
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true })
    expect((await client.closed)[0]).toBe(4400)
  })

  it('closes with 1009 on a message over the size limit', async () => {
    const app = await start({ limits: { maxPublishBytes: 1024 } })
    const client = await openWs(app)
    client.send({ type: 'publish', id: 'x', channel: 'a', data: 'y'.repeat(5000) })
    expect((await client.closed)[0]).toBe(1009)
  })

  it('closes a flood of subscribe messages with 4429', async () => {
    const app = await start({ limits: { subscribeBurst: 5 } })
    const client = await openWs(app)
    for (let i = 0; i < 200; i++) client.send({ type: 'subscribe', channels: [`c${i}`] })
    expect(await client.closed).toEqual([4429, 'RT_ERR_LIMIT_SUBSCRIBE_RATE'])
    await until(() => app.app.pushline.metrics().transports.websocket.connections === 0, 'the connection to be released')
  })

  it('checks Origin on the upgrade', async () => {
    const app = await start({ allowedOrigins: ['http://good.example'] })
    expect(await upgradeStatus(app, { origin: 'http://evil.example' })).toBe(403)
    expect(await upgradeStatus(app, { origin: 'http://good.example' })).toBe(101)
    expect(await upgradeStatus(app)).toBe(101)
  })

  it('refuses the upgrade with 429 beyond the connection limit', async () => {
    const app = await start({ limits: { maxConnections: 1 } })
    const first = await openWs(app)
    expect(await upgradeStatus(app)).toBe(429)
    first.ws.close()
    await first.closed
  })

  it('keeps idle connections alive with pings and heartbeat frames', async () => {
    const app = await start({ heartbeatMs: 30 })
    const client = await openWs(app)
    let pings = 0
    client.ws.on('ping', () => pings++)
    await client.waitFrame((f) => f.type === 'heartbeat')
    // Alive after several rounds: the pongs answered the pings.
    await until(() => pings > 3, 'several pings')
    expect(client.ws.readyState).toBe(client.ws.OPEN)
  })

  it('closes with 1012 and a close frame on shutdown', async () => {
    const app = await start()
    const client = await openWs(app)
    await client.waitFrame((f) => f.type === 'hello')
    await app.app.close()
    expect(await client.closed).toEqual([1012, 'RT_ERR_STREAM_SHUTDOWN'])
    expect(client.frames.at(-1)).toMatchObject({ type: 'close', code: 'RT_ERR_STREAM_SHUTDOWN' })
  })
})
