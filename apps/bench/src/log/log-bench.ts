import {
  assertChannelName,
  createEvent,
  formatCursor,
  type LogEvent,
  MemoryLog,
  serializePayload,
} from '@pushline/core'
import { measure } from './measure.js'
import { retainedBytesPerEvent } from './retained.js'

/**
 * The log's own benchmark (issue 2): MemoryLog append throughput and the cost of a catch-up read of 10,000 events,
 * each as a ratio to the trivial limit measured in the same run (pushing to a plain array; slicing a plain array).
 * The breakdown times each step `append` performs on its own, so a missed target says what is slow.
 */
export interface LogBenchResult {
  readonly events: number
  readonly append: { readonly nsPerOp: number; readonly baselineNsPerOp: number; readonly ratio: number; readonly opsPerSec: number }
  /**
   * The same append against the least an async log that stores events as JSON can do: an awaited call that
   * serializes the event and pushes it (no validation, no retention, no wake-ups). Reported beside the target.
   */
  readonly appendVsSerializeOnce: { readonly baselineNsPerOp: number; readonly ratio: number }
  readonly catchUp: { readonly ns: number; readonly baselineNs: number; readonly ratio: number }
  /** Heap kept per retained event (log/retained.ts): 100,000 events, bytes after a full collection. */
  readonly retainedBytesPerEvent: number
  /** Diagnostics: what each part of an append / read costs, ns per event. */
  readonly breakdown: Readonly<Record<string, number>>
  readonly targets: { readonly appendWithin3x: boolean; readonly catchUpWithin3x: boolean }
}

const CHANNEL = 'bench'
const EVENTS = 10_000

/** ~100-byte JSON payloads like the fan-out benchmark's, one distinct object per event. */
function payloads(count: number): { s: number; t: number; p: string }[] {
  const out: { s: number; t: number; p: string }[] = []
  for (let i = 0; i < count; i++) out.push({ s: i, t: 1_700_000_000_000_000 + i, p: 'x'.repeat(60) })
  return out
}

export async function runLogBench(options: { quick?: boolean } = {}): Promise<LogBenchResult> {
  const samples = options.quick ? 15 : 41
  const warmup = options.quick ? 5 : 15
  const data = payloads(EVENTS)
  const opts = { ops: EVENTS, samples, warmup }

  // Append: the trivial limit pushes an event record (channel, position, data) to a plain array.
  const pushBaseline = await measure(() => {
    const array: { channel: string; seq: number; data: unknown }[] = []
    for (let i = 0; i < EVENTS; i++) array.push({ channel: CHANNEL, seq: i, data: data[i] })
    return array
  }, opts)
  const append = await measure(async () => {
    // Large enough that retention never trims inside the timed loop: this is the append path itself.
    const log = new MemoryLog({ maxCount: EVENTS * 2 })
    for (let i = 0; i < EVENTS; i++) await log.append(CHANNEL, data[i])
    await log.close()
  }, opts)

  const serializeOnce = await measure(async () => {
    const array: { channel: string; seq: number; json: string }[] = []
    const push = async (channel: string, value: unknown): Promise<void> => {
      array.push({ channel, seq: array.length, json: JSON.stringify(value) })
    }
    for (let i = 0; i < EVENTS; i++) await push(CHANNEL, data[i])
  }, opts)

  // Catch-up read: 10,000 events after a cursor, in one read, against slicing them out of a plain array.
  const records = data.map((d, i) => ({ channel: CHANNEL, seq: i + 1, data: d }))
  const sliceBaseline = await measure(() => records.slice(0, EVENTS), { ops: 1, samples: samples * 4, warmup })
  const log = new MemoryLog({ maxCount: EVENTS * 4 })
  for (let i = 0; i < EVENTS; i++) await log.append(CHANNEL, data[i])
  const start = formatCursor(log.epoch, 0)
  const readAll = { limit: EVENTS, maxBytes: Number.MAX_SAFE_INTEGER }
  const catchUp = await measure(() => log.read([CHANNEL], start, readAll), { ops: 1, samples: samples * 4, warmup })

  const breakdown = await measureBreakdown(data, log, opts, samples, warmup)
  await log.close()
  const retained = await retainedBytesPerEvent()

  const appendRatio = append.nsPerOp / pushBaseline.nsPerOp
  const catchUpRatio = catchUp.nsPerOp / sliceBaseline.nsPerOp
  return {
    events: EVENTS,
    append: {
      nsPerOp: round(append.nsPerOp),
      baselineNsPerOp: round(pushBaseline.nsPerOp),
      ratio: round(appendRatio),
      opsPerSec: Math.round(1e9 / append.nsPerOp),
    },
    appendVsSerializeOnce: {
      baselineNsPerOp: round(serializeOnce.nsPerOp),
      ratio: round(append.nsPerOp / serializeOnce.nsPerOp),
    },
    catchUp: { ns: Math.round(catchUp.nsPerOp), baselineNs: Math.round(sliceBaseline.nsPerOp), ratio: round(catchUpRatio) },
    retainedBytesPerEvent: retained,
    breakdown,
    targets: { appendWithin3x: appendRatio <= 3, catchUpWithin3x: catchUpRatio <= 3 },
  }
}

/** Each step of `MemoryLog.append` and `read` timed alone, ns per event. */
async function measureBreakdown(
  data: readonly unknown[],
  filled: MemoryLog,
  opts: { ops: number; samples: number; warmup: number },
  samples: number,
  warmup: number,
): Promise<Record<string, number>> {
  const per = async (run: () => unknown): Promise<number> => round((await measure(run, opts)).nsPerOp)
  const breakdown: Record<string, number> = {}
  breakdown['append: assertChannelName (zod)'] = await per(() => {
    for (let i = 0; i < EVENTS; i++) assertChannelName(CHANNEL)
  })
  breakdown['append: serializePayload (JSON check + stringify)'] = await per(() => {
    for (let i = 0; i < EVENTS; i++) serializePayload(data[i])
  })
  breakdown['append: JSON.stringify alone'] = await per(() => {
    for (let i = 0; i < EVENTS; i++) JSON.stringify(data[i])
  })
  breakdown['append: formatCursor + createEvent'] = await per(() => {
    const json = '{"s":1}'
    for (let i = 0; i < EVENTS; i++) createEvent(CHANNEL, formatCursor('abcdefghij', i), data[i], json)
  })
  breakdown['append: async call + await'] = await per(async () => {
    const noop = async (x: unknown): Promise<unknown> => x
    for (let i = 0; i < EVENTS; i++) await noop(data[i])
  })
  breakdown['append: stringify + push (serialize-once limit)'] = await per(() => {
    const array: { channel: string; seq: number; json: string }[] = []
    for (let i = 0; i < EVENTS; i++) array.push({ channel: CHANNEL, seq: i, json: JSON.stringify(data[i]) })
    return array
  })
  const start = formatCursor(filled.epoch, 0)
  const readOne = async (limit: number): Promise<number> =>
    round(
      (
        await measure(
          async () => {
            let cursor = start
            let events: readonly LogEvent[] = []
            for (let guard = 0; guard < EVENTS; guard++) {
              const result = await filled.read([CHANNEL], cursor, { limit })
              if (result.type !== 'events' || result.events.length === 0) break
              events = result.events
              cursor = result.cursor
              if (!result.more) break
            }
            return events
          },
          { ops: EVENTS, samples, warmup },
        )
      ).nsPerOp,
    )
  breakdown['read: 10,000 as batches of 1,000 (follow default), per event'] = await readOne(1000)
  return breakdown
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}
