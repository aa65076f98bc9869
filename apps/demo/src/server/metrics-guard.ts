import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'

/** The plugin's metrics route, under its prefix. */
export const METRICS_PATH = '/metrics'

const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

/**
 * The plugin's `metrics.authorize` hook for the demo: only `Authorization: Bearer <token>` may scrape (the plugin
 * answers anything else 401 RT_ERR_AUTH_UNAUTHENTICATED). Compared as digests in constant time, so neither the token
 * nor its length leaks.
 */
export function metricsBearer(token: string): (request: FastifyRequest) => boolean {
  const expected = digest(`Bearer ${token}`)
  return (request) => {
    const given = request.headers.authorization
    return given !== undefined && timingSafeEqual(digest(given), expected)
  }
}
