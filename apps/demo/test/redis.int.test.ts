import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildDemoApp } from '../src/server/app.js'
import { readConfig } from '../src/server/config.js'
import { createLog, describeLog } from '../src/server/log.js'
import { type RedisServer, startRedis } from '@pushline/redis/testing'

// Several demo instances on one Redis: what one publishes, the others serve. Real redis-server, real sockets; the
// demo's own config and createLog build the log, exactly as main.ts does.

interface Running {
  readonly app: FastifyInstance
  readonly url: string
}

interface ChatEvent {
  readonly channel: string
  readonly cursor: string
  readonly data: { from: string; text: string }
}

let redis: RedisServer
let publicDir: string
const started: Running[] = []
let namespaceCount = 0

beforeAll(async () => {
  redis = await startRedis()
  publicDir = await mkdtemp(join(tmpdir(), 'pushline-demo-public-'))
  await writeFile(join(publicDir, 'index.html'), '<!doctype html><title>pushline demo</title>')
})

afterEach(async () => {
  for (const { app } of started.splice(0)) await app.close()
})

afterAll(async () => {
  await redis?.dispose()
  if (publicDir) await rm(publicDir, { recursive: true, force: true })
})

/** A fresh namespace per test, so that tests sharing the Redis never see each other's events. */
function namespace(): string {
  return `demo-test-${process.pid}-${++namespaceCount}`
}

async function start(env: Record<string, string>): Promise<Running> {
  const config = readConfig({ PORT: '0', LOG_LEVEL: 'silent', REDIS_URL: redis.url, ...env })
  const log = await createLog(config)
  const app = await buildDemoApp({ config, log, publicDir })
  app.addHook('onClose', async () => log.close()) // as main.ts: the log passed to the plugin is the app's to close
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const running = { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` }
  started.push(running)
  return running
}

async function head(url: string, channel: string): Promise<string> {
  const response = await fetch(`${url}/rt/poll?channel=${channel}`)
  expect(response.status).toBe(200)
  return ((await response.json()) as { cursor: string }).cursor
}

async function publishChat(url: string, text: string): Promise<string> {
  const response = await fetch(`${url}/rt/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'chat', data: { from: 'ann', text } }),
  })
  expect(response.status).toBe(201)
  return ((await response.json()) as { cursor: string }).cursor
}

/** An NDJSON stream on `url`: collects its events until the returned `close()`. */
async function openStream(url: string, channel: string): Promise<{ events: ChatEvent[]; close(): void }> {
  const abort = new AbortController()
  const response = await fetch(`${url}/rt/stream?channel=${channel}`, { signal: abort.signal })
  expect(response.status).toBe(200)
  const events: ChatEvent[] = []
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  let ready: () => void = () => {}
  const helloSeen = new Promise<void>((resolve) => {
    ready = resolve
  })
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += value
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const line of lines.filter(Boolean)) {
        const frame = JSON.parse(line) as { type: string } & ChatEvent
        if (frame.type === 'hello') ready()
        if (frame.type === 'event') events.push({ channel: frame.channel, cursor: frame.cursor, data: frame.data })
      }
    }
  })().catch(() => {}) // the abort at close() ends the read loop
  await helloSeen
  return { events, close: () => abort.abort() }
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('demo on Redis (REDIS_URL set)', () => {
  it('chat published on one instance reaches a stream and a long-poll on the other', async () => {
    const ns = namespace()
    const a = await start({ REDIS_NAMESPACE: ns })
    const b = await start({ REDIS_NAMESPACE: ns })
    const before = await head(b.url, 'chat')
    const stream = await openStream(b.url, 'chat')
    try {
      const first = await publishChat(a.url, 'hello from a')
      const second = await publishChat(a.url, 'and again')
      await until(() => stream.events.length >= 2)
      expect(stream.events).toEqual([
        { channel: 'chat', cursor: first, data: { from: 'ann', text: 'hello from a' } },
        { channel: 'chat', cursor: second, data: { from: 'ann', text: 'and again' } },
      ])
      // A long-poll on b resuming from before the publishes catches up from Redis, with a's cursors.
      const poll = (await (await fetch(`${b.url}/rt/poll?channel=chat&cursor=${before}`)).json()) as {
        events: ChatEvent[]
        cursor: string
      }
      expect(poll.events.map((e) => [e.cursor, e.data.text])).toEqual([
        [first, 'hello from a'],
        [second, 'and again'],
      ])
      expect(poll.cursor).toBe(second)
      // And the other way round: b publishes, a's long-poll held from the same cursor gets it.
      const held = fetch(`${a.url}/rt/poll?channel=chat&cursor=${second}`)
      const third = await publishChat(b.url, 'hi from b')
      const answer = (await (await held).json()) as { events: ChatEvent[]; cursor: string }
      expect(answer.events.map((e) => [e.cursor, e.data.text])).toEqual([[third, 'hi from b']])
      await until(() => stream.events.length >= 3)
      expect(stream.events.map((e) => e.data.text)).toEqual(['hello from a', 'and again', 'hi from b'])
    } finally {
      stream.close()
    }
  })

  it('keeps namespaces apart: instances on another REDIS_NAMESPACE share nothing', async () => {
    const a = await start({ REDIS_NAMESPACE: namespace() })
    const other = await start({ REDIS_NAMESPACE: namespace() })
    const before = await head(other.url, 'chat')
    await publishChat(a.url, 'only for my namespace')
    const response = await fetch(`${other.url}/rt/poll?channel=chat&cursor=${before}&holdMs=200`)
    expect(response.status).toBe(204)
  })

  it('reads the Redis settings from the environment', () => {
    const onRedis = readConfig({ REDIS_URL: 'redis://user:secret@127.0.0.1:6379/0' })
    expect(onRedis).toMatchObject({ REDIS_NAMESPACE: 'demo', TICKER_MS: 0 })
    expect(describeLog(onRedis)).toEqual({ log: 'redis', redis: 'redis://user:***@127.0.0.1:6379/0', namespace: 'demo' })
    // The ticker runs on Redis only where TICKER_MS is set (one instance), and by default on the memory log.
    expect(readConfig({ REDIS_URL: 'redis://127.0.0.1:6379', TICKER_MS: '500' }).TICKER_MS).toBe(500)
    expect(readConfig({}).TICKER_MS).toBe(1000)
    expect(readConfig({ REDIS_URL: '' })).toMatchObject({ REDIS_URL: undefined, TICKER_MS: 1000 })
    expect(describeLog(readConfig({}))).toEqual({ log: 'memory' })
    expect(() => readConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL/)
    expect(() => readConfig({ REDIS_URL: 'redis://127.0.0.1', REDIS_NAMESPACE: '{x}' })).toThrow(/REDIS_NAMESPACE/)
  })

  it('fails to start with a coded error when Redis is unreachable, instead of serving without a log', async () => {
    const config = readConfig({ REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'silent' })
    await expect(createLog(config)).rejects.toMatchObject({ code: expect.stringMatching(/^RT_ERR_/) })
  })
})
