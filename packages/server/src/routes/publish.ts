import type { FastifyInstance } from 'fastify'
import type { TransportContext } from '../transports/types.js'

/** `POST <prefix>/publish` `{"channel","data"}` -> 201 `{"cursor"}`. Rate limited before the body is read. */
export function registerPublish(scope: FastifyInstance, context: Omit<TransportContext, 'counters'>): void {
  scope.post(
    '/publish',
    {
      bodyLimit: context.options.limits.maxPublishBytes,
      // Admission steps 2-4 from the headers, before the body is read; a callback hook: without an authenticate hook,
      // no promise per publish for checks that never wait.
      onRequest: (request, _reply, done) => {
        const fail = (error: unknown): void => done(error instanceof Error ? error : new Error(String(error)))
        let identifying: Promise<unknown> | undefined
        try {
          identifying = context.admission.publishingFrom(request)
        } catch (error) {
          fail(error)
          return
        }
        if (identifying) identifying.then(() => done(), fail)
        else done()
      },
      // Publish latency, received to answered (refusals included): once per publish.
      onResponse: (_request, reply, done) => {
        context.observer?.publishAnswered('http', reply.elapsedTime, reply.statusCode < 400)
        done()
      },
    },
    async (request, reply) => {
      const publish = context.publisher.parseBody(request.body)
      const authorizing = context.admission.authorize(request.pushlineIdentity, request, [publish.channel], 'publish')
      if (authorizing) await authorizing
      // Resolves after the long-polls it woke have answered (Publisher.append).
      const event = await context.publisher.append(publish)
      reply.code(201).header('cache-control', 'no-store').type('application/json; charset=utf-8')
      return `{"cursor":${JSON.stringify(event.cursor)}}`
    },
  )
}
