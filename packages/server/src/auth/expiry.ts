import type { IdentityFields } from '../register.js'

/**
 * `identity.expiresAt` as ms since the epoch: undefined when it has none, NaN when it is not a valid time (the
 * authenticator refuses those: fail closed).
 */
export function expiryOf(identity: IdentityFields | undefined): number | undefined {
  const at = identity?.expiresAt
  if (at === undefined) return undefined
  if (at instanceof Date) return at.getTime()
  return typeof at === 'number' && Number.isFinite(at) ? at : Number.NaN
}

// setTimeout's longest delay (about 24.8 days); a later expiry re-arms the timer when it fires.
const MAX_DELAY_MS = 2_147_483_647

/**
 * One timer for a connection whose identity expires, and none for the rest: `arm` calls `onExpired` at `at` (ms since
 * the epoch), `disarm` cancels it.
 */
export class ExpiryTimer {
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly onExpired: () => void) {}

  arm(at: number): void {
    this.disarm()
    // Never synchronously: the connection arming it may still be under construction.
    const delay = Math.max(0, Math.min(at - Date.now(), MAX_DELAY_MS))
    this.timer = setTimeout(() => (Date.now() >= at ? this.onExpired() : this.arm(at)), delay)
    this.timer.unref()
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }
}
