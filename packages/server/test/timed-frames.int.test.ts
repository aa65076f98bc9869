import { afterEach, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from './helpers/app.js'

// hello and heartbeat frames of the HTTP streams carry the server's clock (`time`), so a client can tell a proxy
// that holds each write until the next one (issue #12: such a stream is not trusted).
describe('timed frames', () => {
  let t: TestApp | undefined
  afterEach(async () => {
    await t?.close()
    t = undefined
  })

  /** The first `count` JSON frames of a stream (SSE data lines or NDJSON lines), then the stream is aborted. */
  const frames = async (app: TestApp, path: string, count: number): Promise<Record<string, unknown>[]> => {
    const abort = new AbortController()
    const response = await app.fetch(path, { signal: abort.signal })
    const reader = response.body?.getReader()
    let text = ''
    const found = () => [...text.matchAll(/^(?:data: )?(\{"type":"(?:hello|heartbeat)".*\})$/gm)].map((match) => match[1] ?? '')
    while (reader && found().length < count) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    abort.abort()
    return found().map((line) => JSON.parse(line) as Record<string, unknown>)
  }

  it.each([
    ['sse', '/sse?channel=a'],
    ['ndjson', '/stream?channel=a'],
  ])('%s: the hello and every heartbeat carry the time they were written', async (_name, path) => {
    t = await startApp({ heartbeatMs: 50 })
    const before = Date.now()
    // the hello, the heartbeat written right after it, and two periodic ones
    const got = await frames(t, path, 4)
    const after = Date.now()
    expect(got.map((frame) => frame.type)).toEqual(['hello', 'heartbeat', 'heartbeat', 'heartbeat'])
    for (const frame of got) {
      expect(frame.time).toBeGreaterThanOrEqual(before)
      expect(frame.time).toBeLessThanOrEqual(after)
    }
    const times = got.map((frame) => Number(frame.time))
    expect([...times].sort((a, b) => a - b)).toEqual(times)
  })
})
