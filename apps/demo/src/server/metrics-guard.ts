import { createHash, timingSafeEqual } from 'node:crypto'
import { ServerErrors } from '@pushline/server'
import type { FastifyInstance } from 'fastify'

/** The plugin's metrics route, under its prefix. */
export const METRICS_PATH = '/metrics'

const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

/**
 * Lets only `Authorization: Bearer <token>` read the metrics route `url`; anything else gets the plugin's 401
 * (RT_ERR_AUTH_UNAUTHENTICATED). Compared as digests in constant time, so neither the token nor its length leaks.
 */
export function guardMetrics(app: FastifyInstance, url: string, token: string): void {
  const expected = digest(`Bearer ${token}`)
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url !== url) return
    const given = request.headers.authorization
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw ServerErrors.AuthUnauthenticated.create('the metrics endpoint needs its bearer token')
    }
  })
}
