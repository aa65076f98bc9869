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
export interface Identity {
  readonly user?: string
  readonly expiresAt?: number | Date
  readonly [key: string]: unknown
}

/** The identity type given to `Register`, or `Identity` when none was. */
export type RegisteredIdentity = Register extends { identity: infer I extends Identity } ? I : Identity
