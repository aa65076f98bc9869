import { spawn } from 'node:child_process'
import { EventSource } from 'eventsource'
import { fetch } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { publishAll, startApp, type TestApp, until } from './helpers/app.js'

// What outside tools see: native-like EventSource reconnecting on its own, fetch streaming, curl as an operator.
describe('real clients', () => {
  let t: TestApp | undefined
  afterEach(async () => {
    await t?.close()
    t = undefined
  })

  it('EventSource reconnects by itself with Last-Event-ID and resumes exactly', async () => {
    t = await startApp({ sseRetryMs: 20 })
    const app = t
    const lastEventIds: (string | null)[] = []
    const source = new EventSource(`${app.base}/sse?channel=chat`, {
      fetch: (input, init) => {
        lastEventIds.push(new Headers(init.headers).get('last-event-id'))
        return fetch(input, { ...init, dispatcher: app.agent })
      },
    })
    const received: string[] = []
    source.onmessage = (message) => received.push(JSON.parse(message.data).cursor)
    try {
      await new Promise((resolve) => source.addEventListener('hello', resolve, { once: true }))
      const before = await publishAll(app.app, 'chat', 3)
      await until(() => received.length === 3, '3 events')
      // Cut every connection server-side; events published meanwhile must arrive after the reconnect.
      for (const socket of app.sockets) socket.destroy()
      const during = await publishAll(app.app, 'chat', 3, 3)
      await until(() => lastEventIds.length >= 2, 'a reconnect')
      const after = await publishAll(app.app, 'chat', 2, 6)
      await until(() => received.length >= 8, '8 events')
      expect(received).toEqual([...before, ...during, ...after])
      expect(lastEventIds[0]).toBeNull()
      expect(lastEventIds[1]).toBe(before[2])
    } finally {
      source.close()
    }
  })

  it('SSE answers with the streaming headers and starts with retry:', async () => {
    t = await startApp({ sseRetryMs: 1500 })
    const abort = new AbortController()
    const response = await t.fetch('/sse?channel=chat', { signal: abort.signal })
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform')
    expect(response.headers.get('x-accel-buffering')).toBe('no')
    const reader = response.body!.getReader()
    const { value } = await reader.read()
    expect(new TextDecoder().decode(value)).toMatch(/^retry: 1500\n\nevent: hello\nid: [a-z0-9]+-0\ndata: \{"type":"hello"/)
    abort.abort()
  })

  it('NDJSON frames reach a fetch reader one by one, each before the next is published', async () => {
    t = await startApp()
    const abort = new AbortController()
    const response = await t.fetch('/stream?channel=chat', { signal: abort.signal })
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/)
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let buffered = ''
    /** The next whole line; reads only when none is buffered, so a held-back frame would time the test out. */
    const next = async (): Promise<string> => {
      while (!buffered.includes('\n')) buffered += decoder.decode((await reader.read()).value, { stream: true })
      const line = buffered.slice(0, buffered.indexOf('\n') + 1)
      buffered = buffered.slice(line.length)
      return line
    }
    expect(JSON.parse(await next())).toMatchObject({ type: 'hello', protocol: 1 })
    // The heartbeat written after the hello (#12): a proxy holding a write's tail would hold the hello too.
    expect(JSON.parse(await next())).toEqual({ type: 'heartbeat', time: expect.any(Number) })
    for (let i = 0; i < 5; i++) {
      const event = await t.app.pushline.publish('chat', { i })
      // If the server buffered until the end, this read would never resolve and the test would time out.
      expect(await next()).toBe(`{"type":"event","channel":"chat","cursor":"${event.cursor}","data":{"i":${i}}}\n`)
    }
    abort.abort()
  })

  it('curl -N sees hello at once and each event as it is published', async () => {
    t = await startApp()
    const curl = spawn('curl', ['-N', '-s', `${t.base}/stream?channel=chat`], { stdio: ['ignore', 'pipe', 'inherit'] })
    const lines: string[] = []
    let buffered = ''
    curl.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const parts = buffered.split('\n')
      buffered = parts.pop() ?? ''
      lines.push(...parts)
    })
    const exited = new Promise((resolve) => curl.once('exit', resolve))
    try {
      await until(() => lines.length === 2, 'hello and its heartbeat from curl')
      expect(lines.map((line) => JSON.parse(line).type)).toEqual(['hello', 'heartbeat'])
      await t.app.pushline.publish('chat', 'from curl')
      await until(() => lines.length === 3, 'an event from curl')
      expect(JSON.parse(lines[2] ?? '')).toMatchObject({ type: 'event', data: 'from curl' })
    } finally {
      curl.kill('SIGTERM')
      await exited
    }
  })
})
