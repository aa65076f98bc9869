import type { ChannelSchemas } from '@pushline/core'

/**
 * Declare the app's channels once and `app.pushline.publish` is typed by them (names, prefix patterns, data):
 *
 *   declare module '@pushline/server' {
 *     interface Register { channels: typeof channels }
 *   }
 *
 * Without it, any channel name and `unknown` data (checked at run time against the plugin's `channels` option).
 */
// biome-ignore lint/suspicious/noEmptyInterface: applications add `channels` through declaration merging
export interface Register {}

/** The channel declarations given to `Register`, or `undefined` when none were. */
export type RegisteredChannels = Register extends { channels: infer C extends ChannelSchemas } ? C : undefined

/**
 * Who a connection or publish is, as `authenticate` returns it: `user` keys the per-client limits and
 * `disconnect({ user })`; `expiresAt` (ms since the epoch, or a Date) ends the connection then. Anything else is the
 * app's own. Type it per app through `Register`:
 *
 *   declare module '@pushline/server' {
 *     interface Register { identity: { user: string; role: 'admin' | 'member'; expiresAt: number } }
 *   }
 */
export interface Identity extends IdentityFields {
  readonly [key: string]: unknown
}

/** What pushline itself reads of any identity (every registered identity type has these, optionally). */
export interface IdentityFields {
  readonly user?: string
  readonly expiresAt?: number | Date
}

/**
 * The identity type given to `Register`, or `Identity` when none was. Checked against `user` and `expiresAt` only
 * (not the index signature), so an `interface` works as well as a `type`.
 */
export type RegisteredIdentity = Register extends {
  identity: infer I extends IdentityFields
}
  ? I
  : Identity
