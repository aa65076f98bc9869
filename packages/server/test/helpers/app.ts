import type { Socket } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { Agent, fetch } from 'undici'
import { type PushlineOptions, pushline } from '../../src/index.js'

export interface TestApp {
  readonly app: FastifyInstance
  /** `http://127.0.0.1:<port>/rt` */
  readonly base: string
  /** `ws://127.0.0.1:<port>/rt` */
  readonly wsBase: string
  /** undici fetch through this app's own agent (closed with the app, so no socket outlives a test). */
  fetch(path: string, init?: Parameters<typeof fetch>[1]): ReturnType<typeof fetch>
  readonly agent: Agent
  /** Every TCP connection the server has accepted and not yet closed. */
  readonly sockets: Set<Socket>
  close(): Promise<void>
}

/** Starts fastify with the plugin at `/rt` on 127.0.0.1, port 0. */
export async function startApp(options: PushlineOptions = {}): Promise<TestApp> {
  // forceCloseConnections: clients in tests may leave idle keep-alive sockets; the plugin's own preClose has
  // already ended every stream with its close frame by the time fastify destroys them.
  const app = Fastify({ logger: { level: process.env.PUSHLINE_TEST_LOG ?? 'silent' }, forceCloseConnections: true })
  await app.register(pushline, { prefix: '/rt', ...options })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const sockets = new Set<Socket>()
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  const agent = new Agent({ connections: 64 })
  const origin = `127.0.0.1:${address.port}`
  let closed = false
  return {
    app,
    base: `http://${origin}/rt`,
    wsBase: `ws://${origin}/rt`,
    agent,
    sockets,
    fetch: (path, init) => fetch(`http://${origin}/rt${path}`, { dispatcher: agent, ...init }),
    async close() {
      if (closed) return
      closed = true
      await app.close()
      await agent.destroy()
    },
  }
}

export async function publishAll(app: FastifyInstance, channel: string, count: number, from = 0): Promise<string[]> {
  const cursors: string[] = []
  for (let i = from; i < from + count; i++) cursors.push((await app.pushline.publish(channel, { n: i })).cursor)
  return cursors
}

/** Polls `check` until it is truthy (every 5 ms), failing after `timeoutMs` with `what`. */
export async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
