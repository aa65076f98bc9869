export interface WaitForOptions {
  /** Give up after this long (default 5,000 ms). */
  readonly timeoutMs?: number
  /** Check this often (default every 5 ms). */
  readonly everyMs?: number
}

/**
 * Resolves with the first truthy value of `check`, checked now and then every few milliseconds; rejects naming
 * `what` (and what `describe` says about the state, if given) after the timeout. The one way tests wait for a
 * condition instead of sleeping.
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false | 0 | '',
  what: string,
  options: WaitForOptions & { readonly describe?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000)
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${options.describe ? `; ${options.describe()}` : ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 5))
  }
}
