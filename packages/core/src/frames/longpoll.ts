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
    const index = channels.indexOf(event.channel)
    const seq = event.cursor.startsWith(epoch) ? event.cursor.slice(epoch.length) : ''
    const data = dataJson(event)
    if (index < 0 || !SEQ.test(seq) || data === undefined) return undefined
    if (i > 0) body += ','
    body += `[${seq},${index},${data}]`
  }
  return `${body}],"cursor":"${cursor}"}`
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
