import { isPushlineError } from '@pushline/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Registry } from 'prom-client'
import { ServerErrors } from '../errors.js'
import type { PushlineMetricsOptions } from '../options.js'

/**
 * `GET <prefix>/metrics`: the Prometheus text, for a scrape its `authorize` hook allows (false: 401
 * RT_ERR_AUTH_UNAUTHENTICATED; a thrown 4xx PushlineError answers as it is; any other throw: 401, logged), or for
 * anyone with `public: true`.
 */
export function registerMetricsRoute(scope: FastifyInstance, options: PushlineMetricsOptions, registry: () => Registry): void {
  const guard = options.public === true ? undefined : options.authorize
  scope.get(options.path ?? '/metrics', { exposeHeadRoute: false }, async (request, reply) => {
    if (guard) await allowed(guard, request)
    const metrics = registry()
    reply.header('cache-control', 'no-store').type(metrics.contentType)
    return metrics.metrics()
  })
}

async function allowed(guard: NonNullable<PushlineMetricsOptions['authorize']>, request: FastifyRequest): Promise<void> {
  let ok: boolean
  try {
    ok = await guard(request)
  } catch (error) {
    if (isPushlineError(error) && error.statusCode >= 400 && error.statusCode < 500) throw error
    request.log.error({ err: error }, 'pushline: metrics authorize hook failed; refusing')
    throw ServerErrors.AuthUnauthenticated.create('not allowed to read the metrics', { cause: error })
  }
  if (ok !== true) throw ServerErrors.AuthUnauthenticated.create('not allowed to read the metrics')
}
