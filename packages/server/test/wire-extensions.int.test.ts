import type { Socket } from 'node:net'
import { CURSOR_HEADER, MemoryLog } from '@pushline/core'
import { afterEach, describe, expect, it } from 'vitest'
import type { PushlineOptions } from '../src/index.js'
import { publishAll, startApp, type TestApp, until } from './helpers/app.js'

// Issue #12's wire extensions: the head in /negotiate, Pushline-Cursor on every stream and poll answer (readable
// cross-origin), and a heartbeat written after the hello in a write of its own.
describe('wire extensions (#12)', () => {
  let t: TestApp | undefined
  const start = async (options: PushlineOptions = {}): Promise<TestApp> => {
    t = await startApp(options)
    return t
  }
  afterEach(async () => {
    await t?.close()
    t = undefined
  })

  /** Opens a stream, reads its headers and its first frame's text, then aborts it. */
  const streamHead = async (app: TestApp, path: string, headers: Record<string, string> = {}) => {
    const abort = new AbortController()
    const response = await app.fetch(path, { signal: abort.signal, headers })
    const reader = response.body?.getReader()
    let text = ''
    while (reader && !/"type":"hello"[^\n]*\n/.test(text)) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    abort.abort()
    const hello = JSON.parse(/(\{"type":"hello"[^\n]*)\n/.exec(text)?.[1] ?? 'null') as { cursor: string } | null
    return { response, hello }
  }

  it('negotiate carries the head now, the channel limit, and is not stored', async () => {
    const app = await start({ limits: { maxChannels: 7 } })
    const first = await app.fetch('/negotiate')
    expect(first.headers.get('cache-control')).toBe('no-store')
    const body = (await first.json()) as { cursor: string; limits: { maxChannels: number }; protocol: number }
    expect(body).toMatchObject({ protocol: 1, limits: { maxChannels: 7 }, cursor: await app.app.pushline.log.head() })
    const [published] = await publishAll(app.app, 'a', 1)
    expect(((await (await app.fetch('/negotiate')).json()) as { cursor: string }).cursor).toBe(published)
  })

  it.each([
    ['sse', '/sse'],
    ['ndjson', '/stream'],
  ])('%s: Pushline-Cursor is the cursor of the hello, from now and from a cursor', async (_name, path) => {
    const app = await start()
    const cursors = await publishAll(app.app, 'a', 3)
    const now = await streamHead(app, `${path}?channel=a`)
    expect(now.response.headers.get(CURSOR_HEADER)).toBe(cursors[2])
    expect(now.hello?.cursor).toBe(cursors[2])
    const resumed = await streamHead(app, `${path}?channel=a&cursor=${cursors[0]}`)
    expect(resumed.response.headers.get(CURSOR_HEADER)).toBe(cursors[0])
    expect(resumed.hello?.cursor).toBe(cursors[0])
  })

  it('sse: Pushline-Cursor follows Last-Event-ID over the cursor parameter', async () => {
    const app = await start()
    const cursors = await publishAll(app.app, 'a', 3)
    const { response, hello } = await streamHead(app, `/sse?channel=a&cursor=${cursors[0]}`, { 'last-event-id': cursors[1] ?? '' })
    expect(response.headers.get(CURSOR_HEADER)).toBe(cursors[1])
    expect(hello?.cursor).toBe(cursors[1])
  })

  it('long-poll: Pushline-Cursor on 200 (cursorless and batch), 204 and 410', async () => {
    const app = await start({ log: new MemoryLog({ maxCount: 3 }) })
    const cursors = await publishAll(app.app, 'a', 6)
    const cursorless = await app.fetch('/poll?channel=a')
    expect(cursorless.status).toBe(200)
    expect(cursorless.headers.get(CURSOR_HEADER)).toBe(((await cursorless.json()) as { cursor: string }).cursor)

    const batch = await app.fetch(`/poll?channel=a&cursor=${cursors[3]}`)
    expect(batch.status).toBe(200)
    expect(batch.headers.get(CURSOR_HEADER)).toBe(cursors[5])
    await batch.arrayBuffer()

    // A quiet channel: the 204 keeps the client's own cursor, not the head the read moved to.
    const quiet = await app.fetch(`/poll?channel=b&cursor=${cursors[3]}&holdMs=0`)
    expect(quiet.status).toBe(204)
    expect(quiet.headers.get(CURSOR_HEADER)).toBe(cursors[3])

    const expired = await app.fetch(`/poll?channel=a&cursor=${cursors[0]}`)
    expect(expired.status).toBe(410)
    const reset = (await expired.json()) as { cursor: string }
    expect(expired.headers.get(CURSOR_HEADER)).toBe(reset.cursor)
  })

  it('exposes Pushline-Cursor to cross-origin readers on streams and polls', async () => {
    const origin = 'http://app.example'
    const app = await start({ allowedOrigins: [origin] })
    const exposed = (response: { headers: Headers | { get(name: string): string | null } }) =>
      (response.headers.get('access-control-expose-headers') ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
    const poll = await app.fetch('/poll?channel=a', { headers: { origin } })
    expect(poll.headers.get('access-control-allow-origin')).toBe(origin)
    expect(exposed(poll)).toContain('pushline-cursor')
    await poll.arrayBuffer()
    for (const path of ['/sse?channel=a', '/stream?channel=a']) {
      const { response } = await streamHead(app, path, { origin })
      expect(response.headers.get('access-control-allow-origin')).toBe(origin)
      expect(exposed(response)).toContain('pushline-cursor')
      expect(response.headers.get(CURSOR_HEADER)).toBeTruthy()
    }
  })

  it.each([
    ['sse', '/sse'],
    ['ndjson', '/stream'],
  ])('%s: the heartbeat after the hello leaves in a later write, a loop turn on', async (_name, path) => {
    const app = await start()
    // Record every write on the server's sockets with the loop turn it was made in.
    let turn = 0
    let ticking = true
    const tick = (): void => {
      turn++
      if (ticking) setImmediate(tick)
    }
    setImmediate(tick)
    const writes: { text: string; turn: number }[] = []
    app.app.server.on('connection', (socket: Socket) => {
      const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean
      socket.write = ((chunk: unknown, ...rest: unknown[]) => {
        writes.push({ text: Buffer.isBuffer(chunk) ? chunk.toString() : String(chunk), turn })
        return write(chunk, ...rest)
      }) as Socket['write']
    })
    const abort = new AbortController()
    const response = await app.fetch(`${path}?channel=a`, { signal: abort.signal })
    expect(response.status).toBe(200)
    const helloAt = await until(() => writes.findIndex((w) => w.text.includes('"type":"hello"')) + 1, 'the hello write')
    const isBeat = (text: string): boolean => /"type":"heartbeat"|event: heartbeat/.test(text)
    const beatAt = await until(() => writes.findIndex((w) => isBeat(w.text)) + 1, 'the heartbeat write')
    ticking = false
    abort.abort()
    const hello = writes[helloAt - 1]
    const beat = writes[beatAt - 1]
    expect(beatAt).toBeGreaterThan(helloAt)
    expect(isBeat(hello?.text ?? '')).toBe(false)
    expect(beat?.turn).toBeGreaterThan(hello?.turn ?? Number.POSITIVE_INFINITY)
  })
})
