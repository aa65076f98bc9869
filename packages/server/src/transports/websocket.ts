import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import { ServerErrors } from '../errors.js'
import type { ServerTransport, TransportContext } from './types.js'
import { WsConnection } from './ws-connection.js'

/** An upgrade admitted (its slot taken) and not yet handed to its connection. */
interface PendingUpgrade {
  readonly context: TransportContext
  readonly key: string
  readonly response: ServerResponse
}

const PENDING = new WeakMap<Socket, PendingUpgrade>()

/** The socket closed before the upgrade completed: its slot goes back. */
function abandonUpgrade(this: Socket): void {
  const pending = PENDING.get(this)
  PENDING.delete(this)
  pending?.context.admission.release(pending.key)
}

/**
 * WebSocket: admitted before the upgrade (origin, closing, limits answer as plain HTTP a client can read), then each
 * `subscribe` and `publish` message is authorized and served by its `WsConnection`.
 */
export const websocketTransport: ServerTransport = {
  name: 'websocket',
  path: '/ws',
  corsMethods: [],
  register(scope, context) {
    scope.route({
      method: 'GET',
      url: this.path,
      exposeHeadRoute: false,
      preHandler: (request, reply, done) => {
        // A plain GET is answered 426 by the handler; only an upgrade takes a slot.
        if (!request.ws) return done()
        try {
          const key = context.admission.connect(request, context.counters)
          const socket = request.raw.socket
          PENDING.set(socket, { context, key, response: reply.raw })
          socket.once('close', abandonUpgrade)
        } catch (error) {
          return done(error instanceof Error ? error : new Error(String(error)))
        }
        done()
      },
      handler: async () => {
        // A client (or a proxy dropping the Upgrade header) that will fall back to another transport.
        context.observer?.fallback('ws-upgrade-refused')
        throw ServerErrors.RequestUpgrade.create()
      },
      wsHandler: (ws: WebSocket, request: FastifyRequest) => {
        const socket = request.raw.socket
        const pending = PENDING.get(socket)
        PENDING.delete(socket)
        socket.off('close', abandonUpgrade)
        if (!pending) {
          ws.terminate()
          return
        }
        new WsConnection(context, pending.key, ws, socket, pending.response, request)
      },
    })
  },
}
