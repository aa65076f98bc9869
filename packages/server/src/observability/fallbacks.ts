/**
 * Fallbacks the server can see for itself, by reason. Clients fall back for reasons only they can see too
 * (`buffering`: a proxy holds the stream back; `stream-delayed`: the first bytes come late): the server's writes
 * succeed in those cases, and protocol 1 has no message for a client to report them, so they are not counted here.
 */
export const FALLBACK_REASONS = [
  /** A GET on the WebSocket path without an upgrade (answered 426): a proxy that drops the Upgrade header. */
  'ws-upgrade-refused',
] as const

export type FallbackReason = (typeof FALLBACK_REASONS)[number]

export type FallbackCounters = Record<FallbackReason, number>

export function newFallbackCounters(): FallbackCounters {
  return Object.fromEntries(FALLBACK_REASONS.map((reason) => [reason, 0])) as FallbackCounters
}
