import { isSystemName } from '../systems.js'
import type { Closer } from './stream-subscribers.js'
import { SUBSCRIBERS } from './subscribers.js'
import { Subscription, Tracker } from './tracker.js'

/**
 * A load worker process: holds `count` subscriptions to one system and answers the driver over IPC.
 *   -> {type:'start', system, port, count}   <- {type:'ready', connected, failed, error?}
 *   -> {type:'collect', lastSeq, timeoutMs}  <- {type:'stats', ...StepStats}  (waits until caught up or timeout)
 *   -> {type:'exit'}
 */
export type WorkerCommand =
  | { type: 'start'; system: string; port: number; count: number }
  | { type: 'collect'; lastSeq: number; timeoutMs: number }
  | { type: 'exit' }

const CONNECT_CONCURRENCY = 64
const tracker = new Tracker()
const closers: Closer[] = []

async function start(system: string, port: number, count: number): Promise<void> {
  if (!isSystemName(system)) throw new Error(`unknown system ${system}`)
  const subscribe = SUBSCRIBERS[system]
  let next = 0
  let failed = 0
  let firstError: string | undefined
  const lane = async (): Promise<void> => {
    // Bounded by `count`.
    while (next < count) {
      next++
      const sub = new Subscription(tracker)
      tracker.subs.push(sub)
      try {
        closers.push(await subscribe(port, sub))
      } catch (error) {
        failed++
        firstError ??= error instanceof Error ? error.message : String(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count) }, lane))
  process.send?.({ type: 'ready', connected: count - failed, failed, error: firstError })
}

async function collect(lastSeq: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!tracker.caughtUp(lastSeq) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  process.send?.({ type: 'stats', ...tracker.collect(lastSeq) })
}

process.on('message', (command: WorkerCommand) => {
  if (command.type === 'start') void start(command.system, command.port, command.count)
  else if (command.type === 'collect') void collect(command.lastSeq, command.timeoutMs)
  else if (command.type === 'exit') {
    for (const closer of closers) closer.close()
    process.exit(0)
  }
})
process.on('disconnect', () => process.exit(0))
