import { createEvent, formatCursor, type LogEvent, type ReadResult } from '@pushline/core'
import { malformed, parseHead, seqOfId } from './replies.js'

interface Source {
  readonly channel: string
  readonly entries: [string, string][]
  index: number
}

/**
 * Turns the read script's reply into a ReadResult: merges the channels' entries by sequence, then cuts by
 * `limit` and `maxBytes`. A stream the script stopped fetching early (not `complete`) bounds the merge at its last
 * fetched entry, because entries of other channels beyond it may come after entries it did not return.
 */
export function parseEvents(reply: unknown, channels: readonly string[], limit: number, maxBytes: number): ReadResult {
  if (!Array.isArray(reply)) throw malformed('the read script')
  const [type, epochValue, headValue, lowValue] = reply
  const { epoch, seq: head } = parseHead([epochValue, headValue])
  if (type === 'epoch' || type === 'expired') {
    return { type: 'reset', reason: type, cursor: formatCursor(epoch, Number(lowValue)) }
  }
  const sources: Source[] = []
  let bound = Number.POSITIVE_INFINITY
  channels.forEach((channel, i) => {
    const flat = reply[3 + 2 * i]
    const complete = reply[4 + 2 * i] === 1
    if (!Array.isArray(flat)) throw malformed('the read script')
    const entries: [string, string][] = []
    for (let j = 0; j + 1 < flat.length; j += 2) entries.push([String(flat[j]), String(flat[j + 1])])
    if (!complete && entries.length > 0) bound = Math.min(bound, seqOfId(entries[entries.length - 1]![0]))
    if (entries.length > 0) sources.push({ channel, entries, index: 0 })
  })
  const events: LogEvent[] = []
  let bytes = 0
  let more = false
  while (sources.length > 0) {
    let pick = 0
    for (let i = 1; i < sources.length; i++) {
      if (seqAt(sources[i]!) < seqAt(sources[pick]!)) pick = i
    }
    const source = sources[pick]!
    const [id, data] = source.entries[source.index]!
    const seq = seqOfId(id)
    if (seq > bound || events.length >= limit || (events.length > 0 && bytes >= maxBytes)) {
      more = true
      break
    }
    events.push(createEvent(source.channel, formatCursor(epoch, seq), JSON.parse(data), data))
    bytes += data.length + source.channel.length + 48
    source.index++
    if (source.index >= source.entries.length) sources.splice(pick, 1)
  }
  // A stream cut by the script has more even when everything fetched was returned.
  if (Number.isFinite(bound)) more = true
  const cursor = more ? events[events.length - 1]!.cursor : formatCursor(epoch, head)
  return { type: 'events', events, cursor, more }
}

function seqAt(source: Source): number {
  return seqOfId(source.entries[source.index]![0])
}
