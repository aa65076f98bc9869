import type { Socket } from 'node:net'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { Agent, fetch } from 'undici'

export interface TestApp {
  readonly app: FastifyInstance
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** `http://127.0.0.1:<port>/rt` */
  readonly base: string
  /** `ws://127.0.0.1:<port>/rt` */
  readonly wsBase: string
  /** undici fetch through this app's own agent (closed with the app, so no socket outlives a test). */
  fetch(path: string, init?: Parameters<typeof fetch>[1]): ReturnType<typeof fetch>
  readonly agent: Agent
  /** Every TCP connection the server has accepted and not yet closed. */
  readonly sockets: Set<Socket>
  /** Closes the app (once) and its agent. */
  close(): Promise<void>
  /** `await using app = await startApp()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>
}

export interface StartAppOptions {
  /** Registers the plugin under test (and any routes of the test's own) before the app listens. */
  readonly register: (app: FastifyInstance) => unknown
  /** The prefix `base`, `wsBase` and `fetch` address (default `/rt`). */
  readonly prefix?: string
  /** fastify's logger (default: silent, or the level in PUSHLINE_TEST_LOG), e.g. a stream a test reads. */
  readonly logger?: FastifyServerOptions['logger']
}

/**
 * Starts fastify on 127.0.0.1, port 0, with what `register` adds (e.g. the pushline plugin: this package does not
 * depend on the packages it tests). `await using app = await startApp(...)` closes it at the end of the scope.
 */
export async function startApp(start: StartAppOptions): Promise<TestApp> {
  const prefix = start.prefix ?? '/rt'
  // forceCloseConnections: clients in tests may leave idle keep-alive sockets; the plugin's own preClose has
  // already ended every stream with its close frame by the time fastify destroys them.
  const app = Fastify({ logger: start.logger ?? { level: process.env.PUSHLINE_TEST_LOG ?? 'silent' }, forceCloseConnections: true })
  await start.register(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('the app has no port')
  const sockets = new Set<Socket>()
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  const agent = new Agent({ connections: 64 })
  const origin = `http://127.0.0.1:${address.port}`
  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await app.close()
      await agent.destroy()
    })()
    return closing
  }
  return {
    app,
    port: address.port,
    origin,
    base: `${origin}${prefix}`,
    wsBase: `ws://127.0.0.1:${address.port}${prefix}`,
    agent,
    sockets,
    fetch: (path, init) => fetch(`${origin}${prefix}${path}`, { dispatcher: agent, ...init }),
    close,
    [Symbol.asyncDispose]: close,
  }
}
