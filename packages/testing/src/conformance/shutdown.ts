import { describe, expect, it } from 'vitest'
import { openHttpStream, openWs, subscriptionQuery, Target } from './clients.js'

/**
 * Shutdown, on a server of its own: streams get a `close` frame RT_ERR_STREAM_SHUTDOWN and end, WebSockets close
 * 1012 after the same frame, held long-polls answer 204.
 */
export function closeFramesSuite(start: () => Promise<{ readonly baseUrl: string; shutdown(): Promise<void> }>): void {
  describe('close frames', () => {
    it('ends every connection on shutdown with a close frame, 1012, or 204', async () => {
      const server = await start()
      const target = new Target(server.baseUrl)
      try {
        const info = await target.negotiate()
        const url = (name: string, query = '') => target.url(info.endpoints[name] ?? '', query)
        const query = subscriptionQuery(['shutdown'])
        // The poll first: by the time every stream has said hello, the server has long been holding it.
        const cursor = (await target.negotiate()).cursor ?? ''
        const held = info.transports.includes('longpoll') ? target.fetch(url('longpoll', subscriptionQuery(['shutdown'], cursor))) : undefined
        const streams = await Promise.all(
          (['sse', 'ndjson'] as const).filter((name) => info.transports.includes(name)).map((name) => openHttpStream(target, name, url(name, query))),
        )
        const ws = info.transports.includes('websocket') ? await openWs(url('websocket').replace(/^http/, 'ws')) : undefined
        for (const stream of [...streams, ...(ws ? [ws] : [])]) await stream.frame('hello')
        await server.shutdown()
        for (const stream of streams) {
          expect(await stream.frame('close')).toMatchObject({ code: 'RT_ERR_STREAM_SHUTDOWN' })
          await stream.end()
        }
        if (ws) {
          expect(await ws.frame('close')).toMatchObject({ code: 'RT_ERR_STREAM_SHUTDOWN' })
          await ws.end()
          expect(ws.closeCode).toBe(1012)
        }
        if (held) expect((await held).status).toBe(204)
      } finally {
        await target.close()
      }
    })
  })
}
