import type { PushlineOptions } from '../../src/index.js'

/**
 * The credentials of the auth tests: a token `user-<id>` is that user; `user-<id>~<ms>` also expires at that time
 * (ms since the epoch). Anything else is no one. A user reads `public` and its own `user/<id>`, and publishes only
 * on `user/<id>`; `ops` reads everything.
 */
export const AUTH: Pick<PushlineOptions, 'authenticate' | 'authorize'> = {
  authenticate: (_request, { token }) => {
    const match = token === undefined ? null : /^user-([^~]+)(?:~([0-9]+))?$/.exec(token)
    if (!match?.[1]) return null
    return match[2] === undefined ? { user: match[1] } : { user: match[1], expiresAt: Number(match[2]) }
  },
  authorize: (identity, { channels, action }) =>
    identity?.user === 'ops' ||
    channels.every((channel) => channel === `user/${identity?.user}` || (action === 'subscribe' && channel === 'public')),
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })
