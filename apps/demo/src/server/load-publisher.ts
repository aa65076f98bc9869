import type { LoadData } from './channels.js'
import type { Publish } from './ticker.js'

export interface BurstStatus {
  readonly id: string
  readonly channel: string
  readonly count: number
  readonly ratePerSec: number
  published: number
  firstCursor: string | null
  lastCursor: string | null
  done: boolean
  /** Ended early by DELETE /demo/bursts/:id or by shutdown. */
  stopped: boolean
  error: string | null
}

// Publishing runs on a short tick and catches up with the wall clock, so the rate stays steady even when a tick
// is late (a busy CI machine), without ever bursting more than one tick's worth ahead.
const TICK_MS = 10

/**
 * Publishes `count` events `{ n, at }` (n = 0..count-1) on `channel` at `ratePerSec`, in order, awaiting each
 * append so that the log order is the numbering order. Used by the e2e suite to prove no loss, no duplicate and no
 * reordering across transports and proxies.
 */
export function runBurst(publish: Publish, status: BurstStatus, signal: AbortSignal): Promise<void> {
  const started = performance.now()
  return new Promise<void>((resolve) => {
    let running = false
    const finish = (error: string | null, stopped = false): void => {
      clearInterval(timer)
      status.error = error
      status.stopped = stopped
      status.done = true
      resolve()
    }
    const tick = async (): Promise<void> => {
      if (running) return
      running = true
      try {
        const due = Math.min(status.count, Math.floor(((performance.now() - started) / 1000) * status.ratePerSec) + 1)
        while (status.published < due) {
          if (signal.aborted) return finish(null, true)
          const data: LoadData = { n: status.published, at: Date.now() }
          const result = await publish(status.channel, data)
          const cursor = cursorOf(result)
          if (status.firstCursor === null) status.firstCursor = cursor
          status.lastCursor = cursor
          status.published++
        }
        if (signal.aborted) finish(null, true)
        else if (status.published >= status.count) finish(null)
      } catch (err) {
        finish(err instanceof Error ? err.message : String(err))
      } finally {
        running = false
      }
    }
    const timer = setInterval(() => void tick(), TICK_MS)
    void tick()
  })
}

function cursorOf(result: unknown): string | null {
  if (typeof result === 'object' && result !== null && 'cursor' in result && typeof result.cursor === 'string') {
    return result.cursor
  }
  return null
}
