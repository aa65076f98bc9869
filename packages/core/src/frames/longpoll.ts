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
