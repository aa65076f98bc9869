import type { PublishRun } from '../driver/publisher.js'
import { nowUs, payload } from '../payload.js'

/** What a server does with one payload (a ~100-byte JSON text) when its own timer publishes it. */
export type LocalPublish = (payload: string) => unknown

/**
 * What a payload's time is: when the event was DUE (the default: a loop busy for 30 ms makes the events due meanwhile
 * 30 ms late, no coordinated omission), or when the timer got to it and published it (`sent`: the server's loop lag
 * before the publish is not counted, as issue 15's own harness measured; for comparing with its table only).
 */
export type StampMode = 'due' | 'sent'

export interface LocalPublishCommand {
  readonly type: 'publish'
  readonly rate: number
  readonly durationMs: number
  /** The sequence of the first event of this run (sequences run on across runs). */
  readonly fromSeq: number
  /** Default `due`. */
  readonly stamp?: StampMode
}

/** A run's figures, as every publisher reports them, with the message type of the server's answer. */
export interface LocalPublishRun extends PublishRun {
  readonly type: 'published'
}

const TICK_MS = 1

/**
 * The in-process publisher, the same for every system: a timer in the server process that publishes at `rate` for
 * `durationMs`, catching up on what fell due since its last tick (up to 250 ms worth per tick). Each payload is stamped
 * with the time it was DUE (the run's start + its index / rate), not the time the timer got to it: a loop busy
 * flushing for 30 ms makes the events due meanwhile 30 ms late, as an app's events are (no coordinated omission).
 * Stamped when built, a late timer used to hide the server's own loop lag from the latency, which the HTTP
 * publisher (another process) never did. No third process competes for the CPU, and no HTTP parsing is in the way:
 * this is the server's own fan-out cost.
 */
export function runLocalPublisher(publish: LocalPublish, command: LocalPublishCommand): Promise<LocalPublishRun> {
  const { rate, durationMs } = command
  const total = Math.max(1, Math.round((rate * durationMs) / 1000))
  let seq = command.fromSeq - 1
  let sent = 0
  let errors = 0
  let firstError: string | undefined
  const onError = (error: unknown): void => {
    errors++
    firstError ??= error instanceof Error ? error.message : String(error)
  }
  const start = performance.now()
  const startUs = Math.round((performance.timeOrigin + start) * 1000)
  const intervalUs = 1e6 / rate
  return new Promise((resolve) => {
    const tick = (): void => {
      const elapsed = performance.now() - start
      // At most 250 ms worth per tick: everything due after a loop turn of up to 250 ms goes at once (events arrive
      // so in an app: whatever queued while the loop was busy is read in one go), stamped with its due time. A server
      // slower than that falls behind the target (and fails the step on the published rate and its latency) instead
      // of blocking its loop on an ever larger burst.
      // With `sent` stamps: the time this tick runs, the same for every event it publishes.
      const tickUs = command.stamp === 'sent' ? nowUs() : 0
      const due = Math.min(total, Math.floor((rate * elapsed) / 1000) + 1, sent + Math.max(1, Math.ceil(rate / 4)))
      // Bounded by `total` and the per-tick cap.
      while (sent < due) {
        // the (sent+1)-th event is due sent / rate after the start: never later than now (that is what made it due)
        const dueUs = startUs + Math.round(sent * intervalUs)
        sent++
        try {
          const result = publish(payload(++seq, command.stamp === 'sent' ? tickUs : dueUs))
          if (result instanceof Promise) result.catch(onError)
        } catch (error) {
          onError(error)
        }
      }
      if (sent < total && elapsed < durationMs * 2 + 1000) {
        setTimeout(tick, TICK_MS)
        return
      }
      const ms = Math.max(performance.now() - start, durationMs)
      resolve({
        type: 'published',
        sent,
        errors,
        ...(firstError === undefined ? {} : { firstError }),
        achievedRate: (sent / ms) * 1000,
        durationMs: ms,
        lastSeq: seq,
      })
    }
    tick()
  })
}
