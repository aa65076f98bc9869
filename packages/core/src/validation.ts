import { z } from 'zod'
import { CoreErrors } from './error-codes.js'
import { isJsonValue } from './json-value.js'

/** Letters, digits and `_ . : @ / -`, 1 to 128 characters: safe in URLs, Redis keys and log lines. */
export const channelNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:@/-]+$/, 'only letters, digits and _ . : @ / - are allowed')

export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024

/** The same rule as `channelNameSchema`, as one regular expression: the check on every publish and read. */
const CHANNEL_NAME = /^[A-Za-z0-9_.:@/-]{1,128}$/

export function assertChannelName(name: unknown): string {
  if (typeof name === 'string' && CHANNEL_NAME.test(name)) return name
  // Not a valid name: the schema says why.
  const result = channelNameSchema.safeParse(name)
  if (!result.success) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 80)) : typeof name
    throw CoreErrors.ChannelInvalid.create(`invalid channel name ${shown}: ${result.error.issues[0]?.message ?? 'invalid'}`)
  }
  return result.data
}

export function assertChannelNames(names: readonly unknown[]): string[] {
  if (names.length === 0) {
    throw CoreErrors.ChannelInvalid.create('at least one channel is required')
  }
  return [...new Set(names.map(assertChannelName))]
}

/**
 * Checks that `data` is a JSON value (no undefined, functions, NaN, cycles...) and at most `maxBytes` once
 * serialized; returns its serialization so that callers never stringify it twice.
 */
export function serializePayload(data: unknown, maxBytes: number = DEFAULT_MAX_PAYLOAD_BYTES): string {
  if (!isJsonValue(data)) {
    throw CoreErrors.PayloadInvalid.create(
      'event data must be a JSON value (no undefined, functions, NaN, Infinity, class instances or cycles; at most 64 levels deep)',
    )
  }
  const json = JSON.stringify(data)
  // Byte length only matters once the string could exceed the limit even at one byte per character.
  const bytes = json.length * 3 <= maxBytes ? json.length : Buffer.byteLength(json)
  if (bytes > maxBytes) {
    throw CoreErrors.PayloadTooLarge.create(`event data is ${bytes} bytes, more than the ${maxBytes} allowed`)
  }
  return json
}
