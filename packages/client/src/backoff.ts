/**
 * Reconnect delay: exponential backoff with full jitter (a uniform draw in [0, min(cap, base * 2^attempt)]), so that
 * many clients cut by the same proxy do not reconnect in lockstep. Hand-written because it is three lines and no
 * backoff library fits the browser bundle's 6 KB budget.
 */
export interface BackoffOptions {
  readonly baseMs: number
  readonly capMs: number
}

export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30))
  return Math.floor(random() * ceiling)
}
