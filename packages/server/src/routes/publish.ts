import type { FastifyInstance } from 'fastify'
import type { TransportContext } from '../transports/types.js'

/** `POST <prefix>/publish` `{"channel","data"}` -> 201 `{"cursor"}`. Rate limited before the body is read. */
export function registerPublish(scope: FastifyInstance, context: Omit<TransportContext, 'counters'>): void {
  scope.post(
    '/publish',
    {
      bodyLimit: context.options.limits.maxPublishBytes,
      onRequest: async (request) => {
        context.publishRate.take(context.access.clientKey(request))
      },
    },
    async (request, reply) => {
      const { channel, data } = context.publisher.parseBody(request.body)
      await context.access.authorize(request, [channel], 'publish')
      const event = await context.publisher.publish(channel, data)
      reply.code(201).header('cache-control', 'no-store').type('application/json; charset=utf-8')
      return `{"cursor":${JSON.stringify(event.cursor)}}`
    },
  )
}
