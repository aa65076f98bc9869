import { createClient, type StorageLike } from '@pushline/client'
import { startServer } from '../driver/processes.js'
import { startNginx } from '../nginx/private-nginx.js'
import { renderCase, type SettleCase } from './nginx-cases.js'

/**
 * Issue 12's settle time behind each e2e proxy: from `subscribe()` with the Node client to the first event, to the
 * start position (`handle.ready`, when the client has it) and to the final transport (the last `transport` event
 * within the observation window), median of several runs. A fresh failure memory per run: a first visit. The
 * client finds `ws` itself (Node 20 has no global WebSocket).
 */
export interface SettleRun {
  readonly firstEventMs: number | null
  readonly positionedMs: number | null
  readonly finalTransportMs: number | null
  readonly transport: string | null
}

export interface SettleResult {
  readonly config: SettleCase
  readonly runs: number
  readonly firstEventMs: number | null
  /** null with `readyAvailable: false` when the client has no `ready` yet ("n/a"). */
  readonly positionedMs: number | null
  readonly readyAvailable: boolean
  readonly finalTransportMs: number | null
  readonly transports: readonly (string | null)[]
  readonly error?: string
}

const PUBLISH_EVERY_MS = 50

class FreshStorage implements StorageLike {
  private readonly items = new Map<string, string>()
  getItem(key: string): string | null {
    return this.items.get(key) ?? null
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value)
  }
}

const median = (values: readonly (number | null)[]): number | null => {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b)
  if (sorted.length === 0) return null
  const mid = Math.floor(sorted.length / 2)
  return Math.round(sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2)
}

/** One `subscribe()` through the proxy at `url`, events published to the origin every 50 ms meanwhile. */
async function settleOnce(url: string, originPort: number, observeMs: number): Promise<SettleRun & { readyAvailable: boolean }> {
  const client = createClient({ url, storage: new FreshStorage() })
  let firstEventMs: number | null = null
  let positionedMs: number | null = null
  let finalTransportMs: number | null = null
  let transport: string | null = null
  const publishing = setInterval(() => {
    fetch(`http://127.0.0.1:${originPort}/rt/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"channel":"settle","data":{"t":1}}',
    }).then(
      (res) => res.body?.cancel(),
      () => {},
    )
  }, PUBLISH_EVERY_MS)
  const start = performance.now()
  const since = (): number => Math.round(performance.now() - start)
  const off = client.on('transport', (change) => {
    finalTransportMs = since()
    transport = change.name
  })
  try {
    const handle = client.subscribe(['settle'], {
      onEvent: () => {
        firstEventMs ??= since()
      },
    })
    const ready = Reflect.get(handle, 'ready') as unknown
    const readyAvailable = ready instanceof Promise
    if (ready instanceof Promise) ready.then(() => (positionedMs ??= since()), () => {})
    await new Promise((resolve) => setTimeout(resolve, observeMs))
    handle.unsubscribe()
    return { firstEventMs, positionedMs, finalTransportMs, transport, readyAvailable }
  } finally {
    clearInterval(publishing)
    off()
    client.close()
  }
}

/** `runs` settles behind each config, one origin for all. */
export async function runSettle(configs: readonly SettleCase[], runs: number, observeMs: number): Promise<SettleResult[]> {
  const server = await startServer('pushline-websocket')
  const results: SettleResult[] = []
  try {
    for (const config of configs) {
      const samples: (SettleRun & { readyAvailable: boolean })[] = []
      let error: string | undefined
      try {
        const nginx = await startNginx((port) => renderCase(config, port, server.port))
        try {
          for (let i = 0; i < runs; i++) samples.push(await settleOnce(`http://127.0.0.1:${nginx.port}/rt`, server.port, observeMs))
        } finally {
          await nginx.stop()
        }
      } catch (caught) {
        error = caught instanceof Error ? caught.message : String(caught)
      }
      results.push({
        config,
        runs: samples.length,
        firstEventMs: median(samples.map((s) => s.firstEventMs)),
        positionedMs: median(samples.map((s) => s.positionedMs)),
        readyAvailable: samples.some((s) => s.readyAvailable),
        finalTransportMs: median(samples.map((s) => s.finalTransportMs)),
        transports: samples.map((s) => s.transport),
        ...(error ? { error } : {}),
      })
    }
  } finally {
    await server.stop()
  }
  return results
}

export function printSettle(results: readonly SettleResult[], observeMs: number): void {
  const lines = ['', `Settle behind each e2e proxy config (issue 12) — median ms from subscribe(), observed ${observeMs} ms per run`]
  lines.push(`${'config'.padEnd(15)}${'runs'.padStart(6)}${'first event'.padStart(13)}${'positioned'.padStart(12)}${'final transport'.padStart(17)}  transport per run`)
  for (const r of results) {
    const positioned = r.readyAvailable ? String(r.positionedMs ?? '-') : 'n/a'
    lines.push(
      `${r.config.padEnd(15)}${String(r.runs).padStart(6)}${String(r.firstEventMs ?? '-').padStart(13)}${positioned.padStart(12)}${String(r.finalTransportMs ?? '-').padStart(17)}  ${r.transports.join(', ')}${r.error ? `  ${r.error}` : ''}`,
    )
  }
  console.log(lines.join('\n'))
}
