import type { FastifyInstance } from 'fastify'
import type { TransportContext } from '../transports/types.js'

/** `POST <prefix>/publish` `{"channel","data"}` -> 201 `{"cursor"}`. Rate limited before the body is read. */
export function registerPublish(scope: FastifyInstance, context: Omit<TransportContext, 'counters'>): void {
  scope.post(
    '/publish',
    {
      bodyLimit: context.options.limits.maxPublishBytes,
      // A callback hook, not an async one: no promise per publish for a check that never waits.
      onRequest: (request, _reply, done) => {
        try {
          context.publishRate.take(context.access.clientKey(request))
        } catch (error) {
          done(error instanceof Error ? error : new Error(String(error)))
          return
        }
        done()
      },
    },
    async (request, reply) => {
      const publish = context.publisher.parseBody(request.body)
      const authorizing = context.access.authorize(request, [publish.channel], 'publish')
      if (authorizing) await authorizing
      const event = await context.publisher.append(publish)
      // Answer after what the append woke: a held long-poll answers a few promise steps later than this handler
      // would, and its subscriber should not wait behind the publisher's answer. A tick queued from a promise
      // callback runs once the whole promise queue is empty, so this waits for those steps and for no I/O: a loop
      // turn instead (setImmediate) halved long-poll fan-out at N=100, as pipelined publishes waited a turn each.
      await new Promise<void>((resolve) => process.nextTick(resolve))
      reply.code(201).header('cache-control', 'no-store').type('application/json; charset=utf-8')
      return `{"cursor":${JSON.stringify(event.cursor)}}`
    },
  )
}
