import type { PushlineError } from '@pushline/core'
import { ClientErrorCode, clientError } from './errors.js'

/** 401 codes that a fresh credential may cure: the connection renews its token and resumes from its cursor. */
const RENEWABLE = ['RT_ERR_AUTH_EXPIRED', 'RT_ERR_AUTH_REVOKED', 'RT_ERR_AUTH_UNAUTHENTICATED']
export const renewable = (code: string | undefined): boolean => RENEWABLE.includes(code ?? '')

/** The channels a 403 names as refused (the server's `channels` field), or none when it names none. */
export const refusedChannels = (error: PushlineError): readonly string[] => {
  const channels = error.details?.channels
  return Array.isArray(channels) ? channels.filter((channel) => typeof channel === 'string') : []
}

/** What no token equals. */
const STALE = {}

export type TokenSource = string | (() => string | undefined | Promise<string | undefined>) | undefined

/** The `Authorization` header for a token (none without one). */
export const bearer = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {})

/**
 * The client's credential: the static `token`, or what `getToken()` last gave, asked once and shared by every
 * request until `renew` drops it (the server said it expired or was revoked); a failed `getToken()` is not kept.
 */
export function tokens(source: TokenSource) {
  let current: Promise<string | undefined> | undefined
  /** The token `current` gave; `renew` sets it to a value no token equals until the next one arrives. */
  let value: unknown
  return {
    get: (): Promise<string | undefined> =>
      (current ??= Promise.resolve()
        .then(typeof source === 'function' ? source : () => source)
        .then((token) => {
          if (token !== undefined && typeof token !== 'string') throw new TypeError('not a string')
          value = token
          return token
        })
        .catch((cause: unknown) => {
          current = undefined
          throw clientError(ClientErrorCode.Token, 'getToken() failed', cause)
        })),
    /** Drops `used` if it is still the current token: true then (the next `get` asks again), false when it was renewed already. */
    renew(used: string | undefined): boolean {
      if (!current || used !== value) return false
      current = undefined
      value = STALE
      return true
    },
  }
}
export type Tokens = ReturnType<typeof tokens>
