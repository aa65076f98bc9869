import type { ChannelSchemas } from '@pushline/core'

/**
 * Declare your channels once and every hook is typed by them:
 *
 *   declare module '@pushline/react' {
 *     interface Register { channels: typeof channels }
 *   }
 *
 * Without it, event data is `unknown`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: applications add `channels` through declaration merging
export interface Register {}

/** The channel declarations given to `Register`, or `undefined` when none were. */
export type RegisteredChannels = Register extends { channels: infer C extends ChannelSchemas } ? C : undefined
