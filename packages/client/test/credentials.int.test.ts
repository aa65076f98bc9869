import type { PushlineError } from '@pushline/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createClient, type PushlineClient, type TransportName } from '../src/index.js'
import { collect, memoryStorage, range } from './fixtures/collect.js'
import { publishSteadily, startServer, type TestServer } from './fixtures/server.js'

// What an app does: the server authenticates bearer tokens and lets a user read `feed` and its own `user/<id>`; the
// client is given the token (or a getToken that hands out short-lived ones), subscribes with no cursor and publishes
// at once. On every transport, forced.
const TRANSPORTS: TransportName[] = ['websocket', 'sse', 'ndjson', 'longpoll']

let server: TestServer | undefined
let client: PushlineClient | undefined

afterEach(async () => {
  client?.close()
  await server?.close()
  client = server = undefined
})

/** Tokens the test's "identity provider" issued: user and expiry. */
function tokenIssuer() {
  const issued = new Map<string, { user: string; expiresAt: number }>()
  let seq = 0
  return {
    issue(user: string, ttlMs = 3_600_000) {
      const token = `${user}~${++seq}`
      issued.set(token, { user, expiresAt: Date.now() + ttlMs })
      return token
    },
    lookup: (token: string | undefined) => (token === undefined ? undefined : issued.get(token)),
  }
}

/** The server, with only `transport` enabled, or all four. */
async function start(transport?: TransportName, tokens = tokenIssuer()) {
  server = await startServer({
    ...(transport ? { transports: [transport] } : {}),
    plugin: {
      authenticate: (_request, { token }) => tokens.lookup(token) ?? null,
      authorize: (identity, { channels }) => channels.every((channel) => channel === 'feed' || channel === `user/${identity?.user}`),
    },
  })
  return { tokens, app: server.app }
}

const url = () => `http://127.0.0.1:${server?.port}/rt`

describe.each(TRANSPORTS)('over %s', (transport) => {
  it('delivers what the token may read, refuses the rest with a coded error, and publishes the same way', async () => {
    const { tokens, app } = await start(transport)
    client = createClient({ url: url(), token: tokens.issue('alice'), storage: memoryStorage(), transports: [transport] })
    const record = collect(client)
    const own: number[] = []
    const refused: PushlineError[] = []
    const bobSeen: unknown[] = []
    client.subscribe(['feed'], { onEvent: record.onEvent })
    client.subscribe(['user/alice'], { onEvent: (event) => own.push((event.data as { n: number }).n) })
    client.subscribe(['user/bob'], { onEvent: (event) => bobSeen.push(event), onError: (error) => refused.push(error) })
    await vi.waitFor(() => expect(refused.map((error) => error.code)).toEqual(['RT_ERR_AUTH_FORBIDDEN']), { timeout: 10_000, interval: 20 })
    // published by the client itself, as soon as it is positioned; 'user/bob' by the server (bob's own events)
    for (let n = 0; n < 50; n++) {
      await client.publish('feed', { n })
      await app.pushline.publish('user/bob', { n })
      await app.pushline.publish('user/alice', { n })
    }
    await expect(client.publish('user/bob', { n: -1 })).rejects.toMatchObject({ code: 'RT_ERR_AUTH_FORBIDDEN' })
    await vi.waitFor(() => expect(record.seen.length + own.length).toBeGreaterThanOrEqual(100), { timeout: 10_000, interval: 20 })
    expect(record.seen).toEqual(range(50))
    expect(own).toEqual(range(50))
    expect(bobSeen).toEqual([])
    // a refusal is not the transport's fault
    expect(record.changes.map((change) => change.name)).toEqual([transport])
  })

  it('refreshes a token that expires mid-stream and resumes from its cursor: nothing lost, repeated or reordered', async () => {
    const { tokens, app } = await start(transport)
    let asked = 0
    client = createClient({
      url: url(),
      getToken: async () => {
        asked++
        return tokens.issue('alice', 600)
      },
      storage: memoryStorage(),
      transports: [transport],
    })
    const record = collect(client)
    const errors: PushlineError[] = []
    client.on('error', (error) => errors.push(error))
    await client.subscribe(['feed', 'user/alice'], { onEvent: record.onEvent }).ready
    // at least 3,000 events, and on until the token has expired and been renewed at least twice mid-stream
    let total = 0
    while (total < 3000 || asked < 3) {
      await publishSteadily(app, 'feed', 300, 30, 10, total)
      total += 300
    }
    await vi.waitFor(() => expect(record.seen.length).toBeGreaterThanOrEqual(total), { timeout: 30_000, interval: 50 })
    expect(record.seen).toEqual(range(total))
    // a publish from a client whose token expired goes through with a fresh one
    await expect(client.publish('feed', { n: total })).resolves.toMatchObject({ cursor: expect.any(String) })
        expect(errors).toEqual([])
    expect(record.changes.map((change) => change.name)).toEqual([transport])
  })

  it('reports a refused token to the app as a coded error, without falling back or remembering a failure', async () => {
    const storage = memoryStorage()
    const { app } = await start(transport)
    let asked = 0
    client = createClient({
      url: url(),
      getToken: () => {
        asked++
        return 'forged'
      },
      storage,
      transports: [transport],
    })
    const errors: PushlineError[] = []
    const seen: unknown[] = []
    client.subscribe(['feed'], { onEvent: (event) => seen.push(event), onError: (error) => errors.push(error) })
    await vi.waitFor(() => expect(errors.map((error) => error.code)).toEqual(['RT_ERR_AUTH_UNAUTHENTICATED']), { timeout: 10_000, interval: 20 })
    await app.pushline.publish('feed', { n: 0 })
    await expect(client.publish('feed', { n: 1 })).rejects.toMatchObject({ code: 'RT_ERR_AUTH_UNAUTHENTICATED' })
    expect(seen).toEqual([])
    // asked once, and once more after the first refusal (per subscribe and per publish at most twice)
    expect(asked).toBeGreaterThanOrEqual(2)
    expect([...storage.data.values()].join('')).not.toContain(transport)
  })
})

describe('with the automatic choice (transports raced)', () => {
  it('a refused token neither falls back nor is remembered: the best transport still settles once the token is good', async () => {
    const storage = memoryStorage()
    const { tokens, app } = await start()
    const errors: PushlineError[] = []
    let good = false
    client = createClient({ url: url(), getToken: () => (good ? tokens.issue('alice') : 'forged'), storage })
    client.subscribe(['feed'], { onEvent: () => {}, onError: (error) => errors.push(error) })
    await vi.waitFor(() => expect(errors.map((error) => error.code)).toEqual(['RT_ERR_AUTH_UNAUTHENTICATED']), { timeout: 10_000, interval: 20 })
    expect(client.transport).toBeNull()
    expect(storage.data.size).toBe(0)
    good = true
    const record = collect(client)
    await client.subscribe(['feed', 'user/alice'], { onEvent: record.onEvent }).ready
    await publishSteadily(app, 'feed', 200, 20, 10)
    await vi.waitFor(() => expect(record.seen).toEqual(range(200)), { timeout: 10_000, interval: 20 })
    await vi.waitFor(() => expect(client?.transport).toBe('websocket'), { timeout: 10_000, interval: 20 })
    expect(record.changes).toEqual([{ name: 'websocket', previous: null, reason: 'negotiated' }])
  })
})

describe('refusals while transports race', () => {
  it('ends only the refused subscriptions, never one that asked for allowed channels (a late racer refusing stopped ones)', async () => {
    const tokens = tokenIssuer()
    // the WebSocket's answer comes last: long-poll refuses first, the client resubscribes the socket without the
    // refused channels, and then the socket's refusal of the first subscribe arrives
    server = await startServer({
      plugin: {
        authenticate: async (_request, { token, transport }) => {
          if (transport === 'websocket') await new Promise((resolve) => setTimeout(resolve, 150))
          return tokens.lookup(token) ?? null
        },
        authorize: (identity, { channels }) => channels.every((channel) => channel === 'feed' || channel === `user/${identity?.user}`),
      },
    })
    const app = server.app
    client = createClient({ url: url(), token: tokens.issue('alice'), storage: memoryStorage() })
    const record = collect(client)
    const mineErrors: PushlineError[] = []
    const refused: string[] = []
    client.subscribe(['feed', 'user/alice'], { onEvent: record.onEvent, onError: (error) => mineErrors.push(error) })
    client.subscribe(['user/bob'], { onEvent: () => {}, onError: (error) => refused.push(`bob:${error.code}`) })
    client.subscribe(['secret', 'feed'], { onEvent: () => {}, onError: (error) => refused.push(`secret:${error.code}`) })
    await vi.waitFor(() => expect(refused.sort()).toEqual(['bob:RT_ERR_AUTH_FORBIDDEN', 'secret:RT_ERR_AUTH_FORBIDDEN']), { timeout: 10_000, interval: 10 })
    await vi.waitFor(() => expect(client?.transport).toBe('websocket'), { timeout: 10_000, interval: 10 })
    await publishSteadily(app, 'feed', 200, 20, 5)
    await vi.waitFor(() => expect(record.seen.length).toBeGreaterThanOrEqual(200), { timeout: 10_000, interval: 10 })
    expect(record.seen).toEqual(range(200))
    expect(mineErrors).toEqual([])
  })
})
