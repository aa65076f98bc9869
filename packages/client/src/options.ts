import type { TransportName } from '@pushline/core/wire'
import type { BackoffOptions } from './backoff.js'
import type { StorageLike } from './memory.js'
import type { WebSocketCtor } from './transports/types.js'

export interface ClientOptions {
  /** Where the server plugin is mounted, e.g. `https://app.example/rt`. */
  readonly url: string
  /** Your order of preference; restricted to what the server enables. Default: the server's order. */
  readonly transports?: readonly TransportName[]
  /** WebSocket implementation. Default: the global one, else `ws` when installed (Node 20). */
  readonly WebSocket?: WebSocketCtor
  /** fetch implementation. Default: the global one. */
  readonly fetch?: typeof fetch
  /** Where failures are remembered per origin. Default: localStorage in browsers, process memory in Node. */
  readonly storage?: StorageLike
  /** How long a transport's hello may take before the transport is judged broken here. Default 4000. */
  readonly probeTimeoutMs?: number
  /** How long a transport failure is remembered. Default 10 minutes. */
  readonly failureTtlMs?: number
  /** How often a better transport is re-tested in the background while on a worse one. Default 60 s (± jitter). */
  readonly upgradeIntervalMs?: number
  /** Reconnect backoff (full jitter). Default base 250 ms, cap 15 s. */
  readonly backoff?: BackoffOptions
  /** How long an HTTP publish may wait for its answer. Default 10 s. */
  readonly publishTimeoutMs?: number
}

export type ResolvedOptions = Required<Omit<ClientOptions, 'transports' | 'WebSocket' | 'storage'>> & ClientOptions

export function resolveOptions(options: ClientOptions): ResolvedOptions {
  return {
    probeTimeoutMs: 4000,
    failureTtlMs: 600_000,
    upgradeIntervalMs: 60_000,
    backoff: { baseMs: 250, capMs: 15_000 },
    publishTimeoutMs: 10_000,
    // wrapped: a bare `fetch` called as a method of another object throws "Illegal invocation" in browsers
    fetch: (input, init) => fetch(input, init),
    ...options,
    url: options.url.replace(/\/+$/, ''),
  }
}
