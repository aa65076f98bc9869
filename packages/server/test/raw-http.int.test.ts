import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from './helpers/app.js'

/** Sends a raw request and collects the raw response bytes until `done` says enough (or the socket ends). */
function rawRequest(port: number, request: string, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request))
    let text = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`timed out; got ${JSON.stringify(text)}`))
    }, 5000)
    const finish = (): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(text)
    }
    socket.on('data', (data) => {
      text += data.toString('latin1')
      if (done(text)) finish()
    })
    socket.on('end', finish)
    socket.on('error', reject)
  })
}

describe('streams written straight to the socket keep HTTP framing right', () => {
  let t: TestApp
  afterEach(async () => {
    await t.close()
  })

  const portOf = (app: TestApp): number => Number(new URL(app.base).port)

  it('HTTP/1.1: every frame is one well-formed chunk', async () => {
    t = await startApp()
    const head = await t.app.pushline.log.head()
    await t.app.pushline.publish('raw', { n: 1 })
    const text = await rawRequest(
      portOf(t),
      `GET /rt/stream?channel=raw&cursor=${head} HTTP/1.1\r\nHost: x\r\n\r\n`,
      (got) => got.includes('"n":1'),
    )
    const [headers, body] = text.split('\r\n\r\n', 2) as [string, string]
    expect(headers).toMatch(/transfer-encoding: chunked/i)
    // De-chunk the body: each chunk's size must match its bytes exactly.
    let rest = text.slice(headers.length + 4)
    const lines: string[] = []
    while (rest.length > 0) {
      const eol = rest.indexOf('\r\n')
      const size = Number.parseInt(rest.slice(0, eol), 16)
      const payload = rest.slice(eol + 2, eol + 2 + size)
      expect(rest.slice(eol + 2 + size, eol + 4 + size)).toBe('\r\n')
      lines.push(payload)
      rest = rest.slice(eol + 4 + size)
    }
    expect(body.length).toBeGreaterThan(0)
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(['hello', 'heartbeat', 'event'])
  })

  it('HTTP/1.0 (nginx default upstream): bare NDJSON lines, delimited by the connection', async () => {
    t = await startApp()
    const head = await t.app.pushline.log.head()
    await t.app.pushline.publish('raw', { n: 2 })
    const text = await rawRequest(portOf(t), `GET /rt/stream?channel=raw&cursor=${head} HTTP/1.0\r\n\r\n`, (got) =>
      got.includes('"n":2'),
    )
    const [headers, body] = text.split('\r\n\r\n', 2) as [string, string]
    expect(headers).not.toMatch(/transfer-encoding/i)
    expect(body.split('\n').filter(Boolean).map((l) => JSON.parse(l).type)).toEqual(['hello', 'heartbeat', 'event'])
  })

  it('HTTP/1.1 SSE ends with the last chunk after its close frame on shutdown', async () => {
    t = await startApp()
    const port = portOf(t)
    const reading = rawRequest(port, 'GET /rt/sse?channel=raw HTTP/1.1\r\nHost: x\r\n\r\n', (got) => got.endsWith('0\r\n\r\n'))
    await new Promise((resolve) => setTimeout(resolve, 100))
    await t.app.close()
    const text = await reading
    expect(text).toContain('event: close')
    expect(text.endsWith('\r\n0\r\n\r\n')).toBe(true)
  })
})
