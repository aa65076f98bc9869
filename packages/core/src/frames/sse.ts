import type { LogEvent } from '../event.js'
import type { ServerFrame } from '../wire.js'
import { cachedEncoder, eventJson } from './event-json.js'

/**
 * SSE: each event is `id: <cursor>` + `data: <event JSON>` with the default event type, so `onmessage` fires and
 * native EventSource resumes with Last-Event-ID. Control frames are named events whose data is the frame's JSON
 * (EventSource never dispatches an event without a data line). JSON never contains a raw newline, so one data
 * line always suffices.
 */
export const sseEvent = cachedEncoder((event: LogEvent) => Buffer.from(`id: ${event.cursor}\ndata: ${eventJson(event)}\n\n`))

/** A named control frame; `id` moves the EventSource's Last-Event-ID (hello and reset carry the resume position). */
export function sseFrame(frame: Exclude<ServerFrame, { type: 'event' }>, id?: string): Buffer {
  const idLine = id === undefined ? '' : `id: ${id}\n`
  return Buffer.from(`event: ${frame.type}\n${idLine}data: ${JSON.stringify(frame)}\n\n`)
}

/** `retry:` tells EventSource how long to wait before reconnecting. */
export function sseRetry(ms: number): Buffer {
  return Buffer.from(`retry: ${Math.max(0, Math.floor(ms))}\n\n`)
}

export const SSE_HEARTBEAT: Buffer = Buffer.from('event: heartbeat\ndata: {"type":"heartbeat"}\n\n')
