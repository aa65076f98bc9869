import { trace } from '@opentelemetry/api'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { z } from 'zod'
import type { PushlineTracer } from '../src/index.js'
import { startApp, type TestApp } from './helpers/app.js'

/** Records the spans pushline starts, as an OpenTelemetry SDK would export them. */
function recordingTracer() {
  const spans: { name: string; attributes: Record<string, unknown>; status?: { code: number }; ended: boolean }[] = []
  const tracer: PushlineTracer = {
    startSpan(name, options) {
      const span = { name, attributes: { ...options?.attributes } as Record<string, unknown>, status: undefined as { code: number } | undefined, ended: false }
      spans.push(span)
      return {
        setAttribute: (key, value) => {
          span.attributes[key] = value
        },
        setStatus: (status) => {
          span.status = status
        },
        end: () => {
          span.ended = true
        },
      }
    },
  }
  return { tracer, spans }
}

describe('OpenTelemetry spans', () => {
  let t: TestApp | undefined
  afterEach(async () => {
    await t?.close()
    t = undefined
  })

  it('takes the Tracer of @opentelemetry/api as it is (no SDK: its no-op tracer) and publishes as usual', async () => {
    t = await startApp({ tracer: trace.getTracer('pushline-test') })
    const event = await t.app.pushline.publish('a', 1)
    expect(event.cursor).toMatch(/-1$/)
  })

  it('spans each publish (channel, cursor; error status when refused) and each delivered event once, not per subscriber', async () => {
    const { tracer, spans } = recordingTracer()
    t = await startApp({ tracer, channels: { 'room/*': z.object({ n: z.number() }) } })
    const port = t.port
    const sockets = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<{ ws: WebSocket; got: Promise<void> }>((resolve) => {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/rt/ws`)
            const got = new Promise<void>((delivered) => {
              ws.on('message', (data) => {
                const frame = JSON.parse(String(data)) as { type: string }
                if (frame.type === 'hello') ws.send(JSON.stringify({ type: 'subscribe', channels: ['room/1'] }))
                if (frame.type === 'subscribed') resolve({ ws, got })
                if (frame.type === 'event') delivered()
              })
            })
          }),
      ),
    )
    const published = await t.app.pushline.publish('room/1', { n: 1 })
    await Promise.all(sockets.map((socket) => socket.got))
    for (const { ws } of sockets) ws.close()
    await expect(t.app.pushline.publish('room/2', { n: 'not a number' })).rejects.toThrow(/schema/)
    const publishes = spans.filter((span) => span.name === 'pushline.publish')
    expect(publishes).toEqual([
      { name: 'pushline.publish', attributes: { 'pushline.channel': 'room/1', 'pushline.cursor': published.cursor }, status: undefined, ended: true },
      { name: 'pushline.publish', attributes: { 'pushline.channel': 'room/2' }, status: expect.objectContaining({ code: 2 }), ended: true },
    ])
    const delivers = spans.filter((span) => span.name === 'pushline.deliver')
    expect(delivers).toEqual([{ name: 'pushline.deliver', attributes: { 'pushline.channel': 'room/1', 'pushline.cursor': published.cursor }, status: undefined, ended: true }])
  })
})
