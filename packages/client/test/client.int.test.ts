import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { defineChannels } from '@pushline/core'
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import { z } from 'zod'
import { ClientErrorCode, createClient, PushlineError } from '../src/index.js'
import { memoryStorage } from './fixtures/collect.js'
import { startServer, type TestServer } from './fixtures/server.js'

let server: TestServer | undefined
const clients: { close(): void }[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  await server?.close()
  server = undefined
})

function open(port: number, transports?: ('websocket' | 'sse' | 'ndjson' | 'longpoll')[]) {
  const client = createClient({ url: `http://127.0.0.1:${port}/rt/`, storage: memoryStorage(), ...(transports ? { transports } : {}) })
  clients.push(client)
  return client
}

describe.each(['websocket', 'sse', 'ndjson', 'longpoll'] as const)('over %s', (transport) => {
  it('publishes (acked on the WebSocket, POST otherwise) and receives its own events in order', async () => {
    server = await startServer()
    const client = open(server.port, [transport])
    const got: unknown[] = []
    client.subscribe(['chat'], { onEvent: (event) => got.push(event.data) })
    await vi.waitFor(() => expect(client.state).toBe('connected'), { timeout: 5000, interval: 10 })
    const acks = []
    for (let i = 0; i < 20; i++) acks.push(await client.publish('chat', { i }))
    await vi.waitFor(() => expect(got).toHaveLength(20), { timeout: 5000, interval: 10 })
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => ({ i })))
    expect(new Set(acks.map((ack) => ack.cursor)).size).toBe(20)
    expect(client.transport).toBe(transport)
    const posts = server.requests.filter((request) => request === 'POST /rt/publish').length
    expect(posts).toBe(transport === 'websocket' ? 0 : 20)
  })

  it('resumes from a cursor of another epoch with an explicit reset, then delivers what follows', async () => {
    server = await startServer()
    const client = open(server.port, [transport])
    const resets: unknown[] = []
    const got: unknown[] = []
    client.subscribe(['chat'], { cursor: 'oldepoch-42', onEvent: (event) => got.push(event.data), onReset: (reset) => resets.push(reset) })
    await vi.waitFor(() => expect(resets).toHaveLength(1), { timeout: 5000, interval: 10 })
    expect(resets[0]).toMatchObject({ reason: 'epoch' })
    await server.app.pushline.publish('chat', { after: true })
    await vi.waitFor(() => expect(got).toEqual([{ after: true }]), { timeout: 5000, interval: 10 })
  })
})

describe('errors', () => {
  it('rejects a publish the server refuses with the server code, and any call after close with RT_ERR_CLIENT_CLOSED', async () => {
    server = await startServer()
    const client = open(server.port, ['sse'])
    const refused = await client.publish('bad channel!', 1).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(PushlineError)
    expect((refused as PushlineError).code).toMatch(/^RT_ERR_CHANNEL/)
    expect((refused as PushlineError).statusCode).toBe(400)
    client.close()
    await expect(client.publish('chat', 1)).rejects.toMatchObject({ code: ClientErrorCode.Closed })
    expect(() => client.subscribe(['chat'], { onEvent() {} })).toThrow(PushlineError)
  })

  it('rejects with RT_ERR_CLIENT_NETWORK when the server cannot be reached, and reports it', async () => {
    const client = createClient({ url: 'http://127.0.0.1:1/rt', storage: memoryStorage() })
    clients.push(client)
    await expect(client.publish('chat', 1)).rejects.toMatchObject({ code: ClientErrorCode.Network })
  })

  it.each(['websocket', 'sse', 'longpoll'] as const)('stops a %s subscription the server refuses and says why', async (transport) => {
    server = await startServer()
    const client = open(server.port, [transport])
    const errors: PushlineError[] = []
    client.subscribe(['bad channel!'], { onEvent() {}, onError: (error) => errors.push(error) })
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 5000, interval: 10 })
    expect(errors[0]!.code).toMatch(/^RT_ERR_CHANNEL/)
    expect(client.state).toBe('idle')
  })
})

describe('close', () => {
  it('leaves no timer, socket or request behind', async () => {
    server = await startServer()
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const client = open(server.port)
    for (const transport of [['websocket'], ['sse'], ['ndjson'], ['longpoll']] as const) {
      const c = open(server.port, [...transport])
      c.subscribe(['a', 'b'], { onEvent() {} })
      await vi.waitFor(() => expect(c.state).toBe('connected'), { timeout: 5000, interval: 10 })
    }
    client.subscribe(['a'], { onEvent() {} })
    await vi.waitFor(() => expect(client.state).toBe('connected'), { timeout: 5000, interval: 10 })
    const pending = client.publish('a', 1)
    for (const c of clients) c.close()
    await pending.catch(() => undefined)
    // the server sees every stream, socket and held poll gone
    await vi.waitFor(
      () => {
        const counters = Object.values(server!.app.pushline.metrics().transports)
        expect(counters.map((counter) => counter.connections)).toEqual([0, 0, 0, 0])
      },
      { timeout: 5000, interval: 20 },
    )
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(before)
  })

  it('lets a Node process that used every transport exit on its own after close()', async () => {
    server = await startServer()
    const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url))
    const script = `
      import { createClient } from ${JSON.stringify(entry)}
      const url = process.env.URL
      const clients = ['websocket', 'sse', 'ndjson', 'longpoll'].map((t) => createClient({ url, transports: [t] }))
      let got = 0
      for (const c of clients) c.subscribe(['x'], { onEvent: () => got++ })
      await new Promise((r) => { const t = setInterval(() => { if (clients.every((c) => c.state === 'connected')) { clearInterval(t); r() } }, 10) })
      await clients[0].publish('x', 1)
      await new Promise((r) => { const t = setInterval(() => { if (got >= 4) { clearInterval(t); r() } }, 10) })
      for (const c of clients) c.close()
      console.log('closed', got)
    `
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, URL: `http://127.0.0.1:${server.port}/rt` },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
    })
    const code = await new Promise<number | null>((resolve, reject) => {
      // generous: the process must exit by itself, long before this
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`node did not exit after close(): ${out}`))
      }, 15_000)
      child.on('exit', (exitCode) => {
        clearTimeout(timer)
        resolve(exitCode)
      })
    })
    expect(out.trim()).toBe('closed 4')
    expect(code).toBe(0)
  })
})

describe('typed channels', () => {
  it('types data from the channel declarations without importing zod at run time', () => {
    const channels = defineChannels({ chat: z.object({ text: z.string() }), count: z.number() })
    const client = createClient<typeof channels>({ url: 'http://127.0.0.1:1/rt', storage: memoryStorage() })
    clients.push(client)
    const sub = client.subscribe(['chat', 'count'], {
      onEvent(event) {
        if (event.channel === 'chat') expectTypeOf(event.data).toEqualTypeOf<{ text: string }>()
        else expectTypeOf(event.data).toEqualTypeOf<number>()
      },
    })
    sub.unsubscribe()
    expectTypeOf(client.publish<'chat'>).parameter(1).toEqualTypeOf<{ text: string }>()
    // @ts-expect-error: a number is not chat data
    void client.publish('chat', 1).catch(() => undefined)
  })

  it('checks channel names against the declaration, prefix patterns included', () => {
    const channels = defineChannels({ chat: z.object({ text: z.string() }), 'room/*': z.object({ n: z.number() }), 'room/vip/*': z.string() })
    const client = createClient<typeof channels>({ url: 'http://127.0.0.1:1/rt', storage: memoryStorage() })
    clients.push(client)
    const sub = client.subscribe(['chat', 'room/42'], {
      onEvent(event) {
        if (event.channel === 'room/42') expectTypeOf(event.data).toEqualTypeOf<{ n: number }>()
      },
    })
    sub.unsubscribe()
    // @ts-expect-error: a typo is not a declared channel
    expect(() => client.subscribe(['chta'], { onEvent() {} }).unsubscribe()).not.toThrow()
    // @ts-expect-error: nor is a name outside every pattern
    void client.publish('nope', { a: 1 }).catch(() => undefined)
    expectTypeOf(client.publish<'room/7'>).parameter(1).toEqualTypeOf<{ n: number }>()
    // covered by two patterns: either shape (the server validates against the longest prefix)
    expectTypeOf(client.publish<'room/vip/1'>).parameter(1).toEqualTypeOf<{ n: number } | string>()
    // without a declaration, any string
    const plain = createClient({ url: 'http://127.0.0.1:1/rt', storage: memoryStorage() })
    clients.push(plain)
    plain.subscribe(['anything/at/all'], { onEvent() {} }).unsubscribe()
  })
})
