import type { FastifyInstance, HTTPMethods } from 'fastify'
import type { Access } from '../access.js'
import type { Admission } from '../admission.js'
import { sendError } from '../error-handler.js'
import { ServerErrors } from '../errors.js'

const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']

/**
 * The edges of the HTTP surface: the Origin policy and CORS headers on every request, CORS preflight, 405 for
 * other methods on known paths, and a coded 404 under the prefix.
 */
export function registerHttpSurface(
  scope: FastifyInstance,
  access: Access,
  admission: Admission,
  routes: Readonly<Record<string, readonly string[]>>,
  notFound: boolean,
): void {
  // Without an origin policy the hook would allow every request and add no header, so it is left out: one hook less
  // on every poll and publish.
  if (access.checksOrigins) addOriginHook(scope, access, admission)

  for (const [path, methods] of Object.entries(routes)) {
    const allow = [...methods, 'OPTIONS'].join(', ')
    scope.options(path, async (request, reply) => {
      const requested = request.headers['access-control-request-headers']
      reply.header('allow', allow)
      if (access.corsHeaders(request.headers.origin)) {
        reply.headers({
          'access-control-allow-methods': allow,
          'access-control-allow-headers':
            typeof requested === 'string' && /^[A-Za-z0-9 ,_-]{1,500}$/.test(requested)
              ? requested
              : 'authorization, content-type, last-event-id',
          'access-control-max-age': '600',
        })
      }
      return reply.code(204).send()
    })
    const others = METHODS.filter((method) => !methods.includes(method))
    if (others.length === 0) continue
    scope.route({
      method: [...others],
      url: path,
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        reply.header('allow', allow)
        return sendError(reply, ServerErrors.RequestMethod.create(`${request.method} is not allowed here; use ${allow}`))
      },
    })
  }

  if (notFound) {
    scope.setNotFoundHandler(async (request, reply) =>
      sendError(
        reply,
        ServerErrors.RequestNotFound.create(`no pushline endpoint at ${request.method} ${request.url.slice(0, 100)}`),
      ),
    )
  }
}

/** Admission step 1 and the CORS headers, for every request; a callback hook: no promise per request. */
function addOriginHook(scope: FastifyInstance, access: Access, admission: Admission): void {
  scope.addHook('onRequest', (request, reply, done) => {
    try {
      admission.origin(request)
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)))
      return
    }
    const cors = access.corsHeaders(request.headers.origin)
    if (cors) reply.headers(cors)
    done()
  })
}
