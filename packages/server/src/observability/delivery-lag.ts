import type { LogEvent } from '@pushline/core'
import { type PushlineSpan, startDeliverSpan } from './tracing.js'

/**
 * Delivery lag: from the moment this server frames an event (the log handing it over: at its append for the
 * MemoryLog, when it reaches this instance for a networked log) to the end of the flush that wrote the frame to the
 * sockets. Measured ONCE per event and wire format, never per subscriber: an event's frame is built once (the frame
 * caches in ws-frame.ts and chunked-format.ts) and only that cache miss notes the time here; each flush then takes
 * every time noted since the previous flush (one loop over the events, not over the sockets).
 *
 * The times are process-wide (the frame caches are), so with several plugins in one process the first to flush
 * takes them. Not measured: HTTP/1.0 streams (their frames are core's plain encoders) and long-polls (answered
 * per request, not through the flush scheduler).
 */

/** At most this many events are noted between two flushes; more are not measured (the flush bounds the list). */
const MAX_NOTED = 4096

let noted: number[] = []
/** The open `pushline.deliver` spans of those events, when a tracer is set (tracing.ts). */
let spans: PushlineSpan[] = []

/** An event was framed for a wire (once per event and wire). */
export function noteFramed(event: LogEvent): void {
  if (noted.length >= MAX_NOTED) return
  noted.push(performance.now())
  const span = startDeliverSpan(event.channel, event.cursor)
  if (span) spans.push(span)
}

/** Where a flush's lags go, in seconds: a histogram. */
export interface LagSink {
  observe(seconds: number): void
}

/** A flush ended at `now` (performance.now()): the lag of every event framed since the previous flush. */
export function takeFramed(now: number, sink: LagSink | undefined): void {
  if (noted.length === 0) return
  const taken = noted
  noted = []
  if (spans.length) {
    for (const span of spans) span.end()
    spans = []
  }
  if (sink) for (const at of taken) sink.observe((now - at) / 1000)
}
