import { CoreErrors, type PushlineError } from '@pushline/core'

/** One stream entry as the log needs it: the channel it belongs to, its sequence and its data JSON. */
export interface StreamEntry {
  readonly channel: string
  readonly seq: number
  readonly data: string
}

/** A stream entry as ioredis returns it: `[id, [field, value, ...]]`. */
export type RawEntry = [string, string[]]

export function seqOfId(id: string): number {
  const dash = id.indexOf('-')
  return Number(dash < 0 ? id : id.slice(0, dash))
}

export function malformed(what: string): PushlineError {
  return CoreErrors.LogUnavailable.create(`unexpected Redis reply to ${what}`)
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

export function rawEntries(value: unknown, what: string): RawEntry[] {
  if (!Array.isArray(value)) throw malformed(what)
  for (const entry of value) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !isStringArray(entry[1])) throw malformed(what)
  }
  return value as RawEntry[]
}

/** `{epoch, seq}` from the head script's `[epoch, seq]`. */
export function parseHead(value: unknown): { epoch: string; seq: number } {
  if (!isStringArray(value) || value.length < 2) throw malformed('the head script')
  return { epoch: value[0]!, seq: Number(value[1]) }
}

/** XREAD's reply (null on timeout) as stream key -> entries. */
export function parseXread(value: unknown): Map<string, RawEntry[]> {
  const streams = new Map<string, RawEntry[]>()
  if (value === null) return streams
  if (!Array.isArray(value)) throw malformed('XREAD')
  for (const item of value) {
    if (!Array.isArray(item) || typeof item[0] !== 'string') throw malformed('XREAD')
    streams.set(item[0], rawEntries(item[1], 'XREAD'))
  }
  return streams
}

export function parseMarks(value: unknown): (string | null)[] {
  if (!Array.isArray(value) || !value.every((v) => v === null || typeof v === 'string')) throw malformed('HMGET')
  return value as (string | null)[]
}
