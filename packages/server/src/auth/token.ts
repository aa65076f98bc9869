import type { FastifyRequest } from 'fastify'

const BEARER = /^Bearer +([^\s].*)$/i
/** Longest token taken from a header or the query (anything longer is not a token of ours: no token). */
export const MAX_TOKEN_LENGTH = 8192

/**
 * The bearer token of an HTTP request: `Authorization: Bearer <token>`, else `?<queryParam>=` when the app opted in
 * (`credentials.queryParam`). Never logged: a token from the URL must not reach pushline's logs.
 */
export function tokenOf(request: FastifyRequest, queryParam: string | undefined): string | undefined {
  const header = request.headers.authorization
  if (typeof header === 'string') {
    const match = BEARER.exec(header)
    const token = match?.[1]?.trim()
    if (token && token.length <= MAX_TOKEN_LENGTH) return token
  }
  if (queryParam === undefined) return undefined
  const query = request.query
  const value: unknown = typeof query === 'object' && query !== null ? Reflect.get(query, queryParam) : undefined
  return typeof value === 'string' && value !== '' && value.length <= MAX_TOKEN_LENGTH ? value : undefined
}
