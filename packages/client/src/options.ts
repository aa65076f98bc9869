import { TRANSPORT_NAMES, type TransportName } from '@pushline/core/wire'
import type { BackoffOptions } from './backoff.js'
import { ClientErrorCode, clientError } from './errors.js'
import type { StorageLike } from './memory.js'
import type { WebSocketCtor } from './transports/types.js'

export interface ClientOptions {
  /** Where the server plugin is mounted, e.g. `https://app.example/rt`, or `/rt` in a browser (resolved against the page). */
  readonly url: string
  /** Your order of preference; restricted to what the server enables. Default: the server's order. */
  readonly transports?: readonly TransportName[]
  /** WebSocket implementation. Default: the global one, else `ws` when installed (Node 20). */
  readonly WebSocket?: WebSocketCtor
  /** fetch implementation. Default: the global one. */
  readonly fetch?: typeof fetch
  /** Where failures are remembered per origin. Default: localStorage in browsers, process memory in Node. */
  readonly storage?: StorageLike
  /**
   * How long a transport may take to prove it delivers (its hello and a frame written after it) before it is judged
   * broken here. Transports are raced, so this is also about how long settling takes behind a buffering proxy.
   * Default 2500.
   */
  readonly probeTimeoutMs?: number
  /** How long a transport failure is remembered. Default 10 minutes. */
  readonly failureTtlMs?: number
  /** How often a better transport is re-tested in the background while on a worse one. Default 60 s (± jitter). */
  readonly upgradeIntervalMs?: number
  /** Reconnect backoff (full jitter). Default base 250 ms, cap 15 s. */
  readonly backoff?: BackoffOptions
  /** How long an HTTP publish may wait for its answer. Default 10 s. */
  readonly publishTimeoutMs?: number
  /**
   * A credential the server's `authenticate` hook reads: sent as `Authorization: Bearer <token>` on every HTTP request
   * and as the first WebSocket message (`{"type":"auth"}`), never in a URL. Use `getToken` for tokens that expire.
   */
  readonly token?: string
  /**
   * Gives the token, asked once and again whenever the server says it expired, was revoked or is not accepted
   * (`RT_ERR_AUTH_EXPIRED`, `_REVOKED`, `_UNAUTHENTICATED`); the subscriptions then resume from their cursors, nothing
   * lost or repeated. A fresh token refused again goes to `onError`. Not with `token`.
   */
  readonly getToken?: () => string | undefined | Promise<string | undefined>
  /**
   * Cookies on the HTTP requests (`fetch`'s `credentials`): `'include'` for an API on another origin (its server
   * must list your page's origin in `allowedOrigins`). Default `'same-origin'`. Browsers send cookies on a WebSocket
   * by their own rules.
   */
  readonly credentials?: 'include' | 'same-origin' | 'omit'
}

export type ResolvedOptions = Required<Omit<ClientOptions, 'transports' | 'WebSocket' | 'storage' | 'token' | 'getToken' | 'credentials'>> & ClientOptions

/** Checks the options (RT_ERR_CLIENT_OPTIONS) and resolves the URL, relative ones against the page. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  const bad = (what: string, cause?: unknown) => clientError(ClientErrorCode.Options, `createClient: ${what}`, cause, 400)
  let url: URL
  try {
    url = new URL(options.url, (globalThis as { location?: { href: string } }).location?.href)
  } catch (cause) {
    throw bad(`bad url ${options.url}`, cause)
  }
  const names = options.transports
  if (names !== undefined && !(Array.isArray(names) && names.every((name) => TRANSPORT_NAMES.includes(name)))) {
    throw bad('unknown transports')
  }
  const { token, getToken, credentials = 'same-origin' } = options
  if ((token !== undefined && (getToken || typeof token !== 'string')) || (getToken && typeof getToken !== 'function') || !['include', 'same-origin', 'omit'].includes(credentials)) {
    throw bad('token (a string) or getToken (a function), credentials (include, same-origin, omit)')
  }
  const given = options.fetch
  url.hash = url.search = ''
  return {
    probeTimeoutMs: 2500,
    failureTtlMs: 600_000,
    upgradeIntervalMs: 60_000,
    backoff: { baseMs: 250, capMs: 15_000 },
    publishTimeoutMs: 10_000,
    ...(Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as ClientOptions),
    // wrapped: a bare `fetch` called as a method of another object throws "Illegal invocation" in browsers
    fetch: (input, init) => (given ?? fetch)(input, { credentials, ...init }),
    url: url.href.replace(/\/+$/, ''),
  }
}
