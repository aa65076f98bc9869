import type { LogEvent } from '../event.js'
import { eventJson } from './event-json.js'

/** Long-poll 200 body: `{"events":[...],"cursor":"<last>"}`, built from each event's cached JSON. */
export function longpollBatch(events: readonly LogEvent[], cursor: string): string {
  let body = '{"events":['
  for (let i = 0; i < events.length; i++) {
    if (i > 0) body += ','
    body += eventJson(events[i]!)
  }
  return `${body}],"cursor":"${cursor}"}`
}

/**
 * The compact long-poll 200 body (protocol 1 extension, asked for with `format=compact`):
 * `{"epoch":"<e>","channels":[...],"events":[[<seq>,<i>,<data>],...],"cursor":"<last>"}`, where an event's cursor is
 * `<e>-<seq>` and its channel `channels[i]`: the same events in about a third fewer bytes, since protocol 1 repeats
 * the channel name and the whole cursor in every event. Undefined when an event's cursor is not `<e>-<seq>` of the
 * batch's epoch or its channel is not one of `channels`: the full body answers then.
 */
export function longpollCompactBatch(events: readonly LogEvent[], channels: readonly string[], cursor: string): string | undefined {
  const dash = cursor.lastIndexOf('-')
  if (dash < 1) return undefined
  const epoch = cursor.slice(0, dash + 1)
  let body = `{"epoch":"${cursor.slice(0, dash)}","channels":${JSON.stringify(channels)},"events":[`
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!
    const item = event.cursor.startsWith(epoch) ? compactItem(event, epoch.length, channels.indexOf(event.channel)) : undefined
    if (item === undefined) return undefined
    if (i > 0) body += ','
    body += item
  }
  return `${body}],"cursor":"${cursor}"}`
}

/**
 * The items an event has been spelled as, by channel index, kept on the event (as the encoders keep theirs, see
 * event-json.ts): a long-poll answer is built once per position, but each retained event goes into the answers of
 * many positions (every poller's next one). Built each time, the items cost ~2.5x what joining cached strings does
 * (147 events of ~100 bytes: 24 µs against 9.6, measured on 2026-12-07).
 */
const ITEMS = Symbol('pushline.compactItems')

type WithItems = LogEvent & { readonly [ITEMS]?: (string | undefined)[] }

/** `[<seq>,<index>,<data>]` for an event whose cursor starts with the batch's `<epoch>-` (`seqAt` is its length). */
function compactItem(event: LogEvent, seqAt: number, index: number): string | undefined {
  const items = (event as WithItems)[ITEMS]
  const known = items?.[index]
  if (known !== undefined) return known
  const seq = event.cursor.slice(seqAt)
  const data = dataJson(event)
  if (index < 0 || !SEQ.test(seq) || data === undefined) return undefined
  const item = `[${seq},${index},${data}]`
  if (items) items[index] = item
  else if (Object.isExtensible(event)) {
    const list: (string | undefined)[] = []
    list[index] = item
    Object.defineProperty(event, ITEMS, { value: list })
  }
  return item
}

/**
 * The runs long-poll 200 body (protocol 1 extension, asked for with `format=runs`):
 * `{"epoch":"<e>","channels":[...],"runs":[[<first seq>,<count>,<i>],...],"data":[<data>,...],"cursor":"<last>"}`.
 * The events in order are the runs': `count` events on `channels[i]` with the consecutive sequence numbers from
 * `first` (cursors `<e>-<seq>`), their data in `data` in the same order. An event that follows the one before it
 * on the same channel costs one byte besides its data (a busy channel: the plain long-poll peer's bytes), where
 * `compact` spends about eleven. Undefined for what `compact` cannot spell either: the full body answers then.
 */
export function longpollRunsBatch(events: readonly LogEvent[], channels: readonly string[], cursor: string): string | undefined {
  const dash = cursor.lastIndexOf('-')
  if (dash < 1) return undefined
  const epoch = cursor.slice(0, dash + 1)
  let runs = ''
  let data = ''
  let first = 0
  let count = 0
  let index = -1
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!
    const item = event.cursor.startsWith(epoch) ? runItem(event, epoch.length) : undefined
    const at = channels.indexOf(event.channel)
    if (item === undefined || at < 0) return undefined
    if (count > 0 && at === index && item.seq === first + count) count++
    else {
      if (count > 0) runs += `[${first},${count},${index}],`
      first = item.seq
      count = 1
      index = at
    }
    if (i > 0) data += ','
    data += item.data
  }
  if (count > 0) runs += `[${first},${count},${index}]`
  return `{"epoch":"${cursor.slice(0, dash)}","channels":${JSON.stringify(channels)},"runs":[${runs}],"data":[${data}],"cursor":"${cursor}"}`
}

/** An event's sequence number and data JSON, as the runs format spells it. */
interface RunItem {
  readonly seq: number
  readonly data: string
}

const RUN_ITEM = Symbol('pushline.runItem')

type WithRunItem = LogEvent & { readonly [RUN_ITEM]?: RunItem }

/** The run item of an event whose cursor starts with the batch's `<epoch>-` (`seqAt` is its length), kept on it. */
function runItem(event: LogEvent, seqAt: number): RunItem | undefined {
  const known = (event as WithRunItem)[RUN_ITEM]
  if (known !== undefined) return known
  const seq = event.cursor.slice(seqAt)
  const data = dataJson(event)
  if (!SEQ.test(seq) || !Number.isSafeInteger(Number(seq)) || data === undefined) return undefined
  const item: RunItem = { seq: Number(seq), data }
  if (Object.isExtensible(event)) Object.defineProperty(event, RUN_ITEM, { value: item })
  return item
}

const SEQ = /^(0|[1-9][0-9]{0,15})$/
/** `{"channel":"","cursor":"","data":`: what the event's JSON has before its data, with the channel and cursor. */
const DATA_AT = 33

/** The data's JSON inside the event's (`{"channel":"<c>","cursor":"<k>","data":<data>}`: neither c nor k is escaped). */
function dataJson(event: LogEvent): string | undefined {
  const json = eventJson(event)
  const at = event.channel.length + event.cursor.length + DATA_AT
  return json.startsWith('","data":', at - 9) ? json.slice(at, -1) : undefined
}
