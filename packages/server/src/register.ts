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
