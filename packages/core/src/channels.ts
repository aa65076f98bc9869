import type { z } from 'zod'
import { CoreErrorCode, PushlineError } from './errors.js'

/**
 * Typed channels: one declaration, shared by server and client, gives each channel's data a type and a runtime
 * schema. A key ending in `*` declares every channel with that prefix (`'room/*'`).
 *
 *   export const channels = defineChannels({ chat: z.object({ text: z.string() }), 'room/*': z.unknown() })
 */
export type ChannelSchemas = Readonly<Record<string, z.ZodType>>

export function defineChannels<const C extends ChannelSchemas>(channels: C): C {
  return channels
}

/**
 * The channel names declaration `C` allows: each exact key, and `room/${string}` for a pattern key `'room/*'`; any
 * string without a declaration. Used by the client's `subscribe`/`publish` and the server's `app.pushline.publish`.
 */
export type ChannelName<C extends ChannelSchemas | undefined> = C extends ChannelSchemas
  ? { [P in keyof C & string]: P extends `${infer Prefix}*` ? `${Prefix}${string}` : P }[keyof C & string]
  : string

/** The declaration's pattern keys that cover `K` (`'room/*'` covers `'room/42'`). */
type PatternsOf<C extends ChannelSchemas, K extends string> = {
  [P in keyof C & string]: P extends `${infer Prefix}*` ? (K extends `${Prefix}${string}` ? P : never) : never
}[keyof C & string]

/**
 * The data type of `channel` in declaration `C`: its exact key first, else the patterns that cover it (when more
 * than one does, the union: the runtime picks the longest prefix), else unknown.
 */
export type ChannelData<C extends ChannelSchemas | undefined, K extends string> = C extends ChannelSchemas
  ? K extends keyof C
    ? z.infer<C[K]>
    : [PatternsOf<C, K>] extends [never]
      ? unknown
      : z.infer<C[PatternsOf<C, K>]>
  : unknown

/** The schema that governs `channel`, or undefined when the declaration does not cover it. */
export function schemaFor(channels: ChannelSchemas, channel: string): z.ZodType | undefined {
  const exact = channels[channel]
  if (exact) return exact
  let best: { length: number; schema: z.ZodType } | undefined
  for (const [key, schema] of Object.entries(channels)) {
    if (!key.endsWith('*')) continue
    const prefix = key.slice(0, -1)
    if (channel.startsWith(prefix) && (!best || prefix.length > best.length)) best = { length: prefix.length, schema }
  }
  return best?.schema
}

/** True when the declaration covers `channel` (used to refuse undeclared channels when declarations are strict). */
export function isDeclared(channels: ChannelSchemas, channel: string): boolean {
  return schemaFor(channels, channel) !== undefined
}

/** Validates `data` against the channel's schema, returning the parsed value; RT_ERR_PAYLOAD_SCHEMA (400) if invalid. */
export function validateChannelData(channels: ChannelSchemas, channel: string, data: unknown): unknown {
  const schema = schemaFor(channels, channel)
  if (!schema) return data
  const result = schema.safeParse(data)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
    throw new PushlineError(
      CoreErrorCode.PayloadSchema,
      `data for channel ${JSON.stringify(channel)} does not match its schema${where}: ${issue?.message ?? 'invalid'}`,
      { statusCode: 400, cause: result.error },
    )
  }
  return result.data
}
