/**
 * OpenTelemetry spans, opt-in: pass the plugin `tracer: trace.getTracer('pushline')` from `@opentelemetry/api`.
 * pushline depends on nothing for this; it uses only this part of the OpenTelemetry `Tracer` interface, so any
 * tracer with the same shape works, and without one nothing is done at all.
 */
export type SpanAttributes = Record<string, string | number | boolean>

export interface PushlineSpan {
  setAttribute(key: string, value: string | number | boolean): unknown
  /** `code` 2 is OpenTelemetry's `SpanStatusCode.ERROR`. */
  setStatus(status: { code: number; message?: string }): unknown
  end(): void
}

export interface PushlineTracer {
  startSpan(name: string, options?: { attributes?: SpanAttributes }): PushlineSpan
}

const ERROR = 2

/** Runs `work` inside a span named `name`: the error status on a rejection, `attributes` from the result. */
export async function traced<T>(
  tracer: PushlineTracer | undefined,
  name: string,
  attributes: SpanAttributes,
  work: () => Promise<T>,
  resultAttributes?: (result: T) => SpanAttributes,
): Promise<T> {
  if (!tracer) return work()
  const span = tracer.startSpan(name, { attributes })
  try {
    const result = await work()
    for (const [key, value] of Object.entries(resultAttributes?.(result) ?? {})) span.setAttribute(key, value)
    return result
  } catch (error) {
    span.setStatus({ code: ERROR, message: error instanceof Error ? error.message : String(error) })
    throw error
  } finally {
    span.end()
  }
}

/** The tracer for `pushline.deliver` spans; process-wide like the frame caches that start them (delivery-lag.ts). */
let deliverTracer: PushlineTracer | undefined

export function setDeliverTracer(tracer: PushlineTracer | undefined): void {
  deliverTracer = tracer
}

/** A span for one event's delivery, from its framing to the end of the flush that wrote it (undefined: no tracer). */
export function startDeliverSpan(channel: string, cursor: string): PushlineSpan | undefined {
  return deliverTracer?.startSpan('pushline.deliver', { attributes: { 'pushline.channel': channel, 'pushline.cursor': cursor } })
}
