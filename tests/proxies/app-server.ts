import { pushline } from '@pushline/server'
import Fastify, { type FastifyInstance } from 'fastify'

export interface AppServer {
  readonly app: FastifyInstance
  readonly port: number
  /** `address:port` of every TCP connection that reached the app, in order of arrival. */
  readonly connections: string[]
  /** The headers of the last request the app received. */
  lastHeaders(): Record<string, string | string[] | undefined>
  close(): Promise<void>
}

/** A real pushline server (in-memory log) on a free port, noting every connection the proxy opens to it. */
export async function startAppServer(): Promise<AppServer> {
  const app = Fastify({ forceCloseConnections: true, trustProxy: '127.0.0.1' })
  const connections: string[] = []
  let headers: Record<string, string | string[] | undefined> = {}
  app.server.on('connection', (socket) => connections.push(`${socket.remoteAddress}:${socket.remotePort}`))
  app.addHook('onRequest', async (request) => {
    headers = request.headers
  })
  app.get('/rt/whoami', async (request) => ({ ip: request.ip, protocol: request.protocol }))
  await app.register(pushline, { prefix: '/rt' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return { app, port: address.port, connections, lastHeaders: () => headers, close: () => app.close() }
}
