import { assertChannelNames, CoreErrors, isDeclared, parseCursor } from '@pushline/core'
import { ServerErrors } from './errors.js'
import type { ResolvedOptions } from './options.js'

export interface Subscription {
  readonly channels: readonly string[]
  /** The position to start after; undefined means "from now". */
  readonly cursor: string | undefined
}

/** Checks a list of channel names against the limits and the declarations (shared by HTTP query and WS message). */
export function checkChannels(names: readonly unknown[], options: ResolvedOptions): string[] {
  const channels = assertChannelNames(names)
  if (channels.length > options.limits.maxChannels) {
    throw ServerErrors.ChannelTooMany.create(`at most ${options.limits.maxChannels} channels per subscription`)
  }
  if (options.strict) for (const channel of channels) assertDeclared(channel, options)
  return channels
}

export function assertDeclared(channel: string, options: ResolvedOptions): void {
  if (options.strict && !(options.channels && isDeclared(options.channels, channel))) {
    throw ServerErrors.ChannelUndeclared.create(`channel ${JSON.stringify(channel)} is not declared`)
  }
}

export function checkCursor(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string') {
    throw CoreErrors.CursorMalformed.create('cursor must be a single string')
  }
  parseCursor(value)
  return value
}

/**
 * `?channel=a&channel=b&cursor=c` from a parsed query string. `resumeFrom` (SSE's Last-Event-ID) wins over the
 * `cursor` parameter, since native EventSource reconnects to the same URL adding only that header.
 */
export function parseSubscription(query: unknown, options: ResolvedOptions, resumeFrom?: string): Subscription {
  const params = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>
  const raw = params.channel
  const names = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
  const channels = checkChannels(names, options)
  const cursor = resumeFrom !== undefined && resumeFrom !== '' ? checkCursor(resumeFrom) : checkCursor(params.cursor)
  return { channels, cursor }
}
