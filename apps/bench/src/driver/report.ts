import type { SystemName } from '../systems.js'
import type { FanoutResult, FanoutStep } from './fanout.js'
import type { IdleResult } from './idle.js'
import type { PublisherKind } from './publisher.js'
import type { SingleResult } from './single.js'

export interface BenchResults {
  readonly fanout: readonly FanoutResult[]
  readonly idle: readonly IdleResult[]
  readonly single: readonly SingleResult[]
}

interface Target {
  readonly area: 'fanout' | 'idle' | 'single'
  readonly a: SystemName
  readonly b: SystemName
  readonly op: '>=' | '<='
  readonly bound: number
}

const PUSHLINE = ['pushline-websocket', 'pushline-sse', 'pushline-ndjson', 'pushline-longpoll'] as const
/** The plain server each pushline transport is measured against. */
export const PLAIN_OF: Readonly<Record<string, SystemName>> = {
  'pushline-websocket': 'ws-plain',
  'pushline-sse': 'sse-plain',
  'pushline-ndjson': 'sse-plain',
  'pushline-longpoll': 'longpoll-plain',
}

/** Issue 15's targets, each a ratio of two systems measured in the same run. */
const TARGETS: readonly Target[] = [
  { area: 'fanout', a: 'pushline-websocket', b: 'ws-coalesced', op: '>=', bound: 1 },
  { area: 'fanout', a: 'pushline-sse', b: 'ws-coalesced', op: '>=', bound: 0.9 },
  { area: 'fanout', a: 'pushline-ndjson', b: 'ws-coalesced', op: '>=', bound: 0.9 },
  { area: 'fanout', a: 'pushline-longpoll', b: 'longpoll-plain', op: '>=', bound: 0.8 },
  ...Object.entries(PLAIN_OF).map(([a, b]): Target => ({ area: 'idle', a: a as SystemName, b, op: '<=', bound: 1.2 })),
  ...Object.entries(PLAIN_OF).map(([a, b]): Target => ({ area: 'single', a: a as SystemName, b, op: '<=', bound: 1.5 })),
]

/** The peer each system of a fan-out target is compared to (pushline's streams: the corked `ws`; long-poll: plain). */
export const FANOUT_PEER_OF: Readonly<Record<string, SystemName>> = Object.fromEntries(
  TARGETS.filter((target) => target.area === 'fanout').map((target) => [target.a, target.b]),
)

const round2 = (x: number): number => Math.round(x * 100) / 100

/** Server CPU per delivery, µs (server CPU time over the step / deliveries). */
export function cpuPerDeliveryUs(step: FanoutStep): number | null {
  if (step.deliveriesPerSec <= 0) return null
  return round2(((step.serverCpuPct / 100) * 1_000_000) / step.deliveriesPerSec)
}

/** The step with the most deliveries/s and nothing lost, whatever its latency: a figure for a machine too loaded to pass. */
export function losslessPeak(result: FanoutResult): FanoutStep | undefined {
  return result.steps
    .filter((s) => s.lost === 0 && s.resumed === 0 && s.slowConsumerDrops === 0)
    .sort((a, b) => b.deliveriesPerSec - a.deliveriesPerSec)[0]
}

function fanoutFigure(result: FanoutResult): Record<string, unknown> {
  const shown: FanoutStep | undefined = result.best ?? result.steps[0]
  const peak = losslessPeak(result)
  return {
    rate: result.best?.rate ?? 0,
    deliveriesPerSec: result.best?.deliveriesPerSec ?? 0,
    p50Ms: shown?.p50Ms ?? null,
    p99Ms: shown?.p99Ms ?? null,
    lost: shown?.lost ?? 0,
    maxMs: shown?.maxMs ?? null,
    serverCpuPct: shown?.serverCpuPct ?? null,
    cpuPerDeliveryUs: shown ? cpuPerDeliveryUs(shown) : null,
    clientCpuPct: shown?.clientCpuPct ?? null,
    bound: shown?.bound ?? null,
    connectedRssMb: result.connectedRssMb,
    serverPeakRssMb: result.serverPeakRssMb,
    loadAvg: shown?.loadAvg ?? null,
    losslessPeak: peak ? { deliveriesPerSec: peak.deliveriesPerSec, p99Ms: peak.p99Ms, serverCpuPct: peak.serverCpuPct } : null,
    ...(result.best ? {} : { sustained: false }),
    ...(result.error ? { error: result.error } : {}),
  }
}

const groupKey = (n: number, publisher: PublisherKind): string => `${n}/${publisher}`

/** The JSON line: fanout by "N/publisher" then system, idleKbPerConn, single, ratios (N=1,000, each publisher). */
export function resultJson(results: BenchResults, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const fanout: Record<string, Record<string, unknown>> = {}
  for (const f of results.fanout) {
    const key = groupKey(f.n, f.publisher)
    fanout[key] ??= {}
    fanout[key][f.system] = fanoutFigure(f)
  }
  return {
    fanout,
    idleKbPerConn: Object.fromEntries(results.idle.map((i) => [i.system, i.kbPerConn])),
    single: Object.fromEntries(results.single.map((s) => [s.system, { p50Ms: s.p50Ms, p99Ms: s.p99Ms }])),
    ratios: Object.fromEntries(ratios(results).map((r) => [r.key, r.value])),
    ...extra,
  }
}

interface Ratio {
  readonly key: string
  readonly value: number | null
  readonly target: string | null
  readonly met: boolean | null
}

/** The targets, then every pushline transport against every peer measured at the same N and publisher. */
function ratios(results: BenchResults): Ratio[] {
  const mainN = results.fanout.some((f) => f.n === 1000) ? 1000 : Math.max(0, ...results.fanout.map((f) => f.n))
  const publishers = [...new Set(results.fanout.filter((f) => f.n === mainN).map((f) => f.publisher))]
  const fanout = (publisher: PublisherKind) => (s: SystemName): number | undefined => {
    const found = results.fanout.find((f) => f.system === s && f.n === mainN && f.publisher === publisher)
    return found ? (found.best?.deliveriesPerSec ?? 0) : undefined
  }
  const idle = (s: SystemName): number | undefined => results.idle.find((i) => i.system === s)?.kbPerConn ?? undefined
  const single = (s: SystemName): number | undefined => results.single.find((x) => x.system === s)?.p50Ms ?? undefined
  const out: Ratio[] = []
  const push = (key: string, a: number | undefined, b: number | undefined, target?: Target): void => {
    if (a === undefined || b === undefined) return
    const value = b > 0 ? round2(a / b) : null
    out.push({
      key,
      value,
      target: target ? `${target.op} ${target.bound}` : null,
      met: !target || value === null ? null : target.op === '>=' ? value >= target.bound : value <= target.bound,
    })
  }
  for (const t of TARGETS) {
    if (t.area === 'fanout') {
      for (const p of publishers) push(`fanout@${mainN}/${p}:${t.a}/${t.b}`, fanout(p)(t.a), fanout(p)(t.b), t)
    } else {
      const value = t.area === 'idle' ? idle : single
      push(`${t.area}:${t.a}/${t.b}`, value(t.a), value(t.b), t)
    }
  }
  for (const p of publishers) {
    const measured = results.fanout.filter((f) => f.n === mainN && f.publisher === p)
    for (const a of PUSHLINE) {
      if (!measured.some((f) => f.system === a)) continue
      for (const peer of measured) {
        if ((PUSHLINE as readonly string[]).includes(peer.system)) continue
        if (TARGETS.some((t) => t.area === 'fanout' && t.a === a && t.b === peer.system)) continue
        push(`fanout@${mainN}/${p}:${a}/${peer.system}`, fanout(p)(a), fanout(p)(peer.system))
      }
    }
  }
  return out
}

const pad = (text: string | number, width: number, right = false): string => {
  const s = String(text)
  return s.length >= width ? s : right ? ' '.repeat(width - s.length) + s : s + ' '.repeat(width - s.length)
}
const num = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : x.toLocaleString('en-US'))

const peakText = (f: FanoutResult): string => {
  const peak = losslessPeak(f)
  return peak ? `${num(peak.deliveriesPerSec)} (${num(peak.p99Ms)})` : '-'
}

/** The readable tables. */
export function printTables(results: BenchResults): void {
  const lines: string[] = []
  const groups = [...new Set(results.fanout.map((f) => groupKey(f.n, f.publisher)))]
  for (const key of groups) {
    const inGroup = results.fanout.filter((f) => groupKey(f.n, f.publisher) === key)
    const first = inGroup[0]
    if (!first) continue
    const how =
      first.publisher === 'local'
        ? 'publisher: a timer in the server process'
        : first.publisher === 'http'
          ? 'publisher: POST over HTTP from another process, pipelined in bursts'
          : 'publisher: POST over HTTP from another process, one at a time'
    lines.push('', `Fan-out, N=${num(first.n)} subscribers, ${how} — highest step with p99 < 100 ms and nothing lost`)
    lines.push(
      `${pad('system', 22)}${pad('events/s', 9, true)}${pad('deliveries/s', 13, true)}${pad('p50', 7, true)}${pad('p99', 7, true)}${pad('srv CPU%', 9, true)}${pad('µs/deliv', 9, true)}${pad('cli CPU%', 9, true)}${pad('bound', 8, true)}${pad('RSS MB', 8, true)}${pad('peak MB', 8, true)}${pad('load', 6, true)}${pad('lossless peak (p99)', 24, true)}  next step failed on`,
    )
    for (const f of inGroup) {
      const b = f.best
      // A failed step above the best one (a failure that passed on its retry is not the limit).
      const failed = f.steps.find((s) => !s.ok && s.rate > (b?.rate ?? 0))
      lines.push(
        `${pad(f.system, 22)}${pad(num(b?.rate ?? 0), 9, true)}${pad(num(b?.deliveriesPerSec ?? 0), 13, true)}${pad(num(b?.p50Ms), 7, true)}${pad(num(b?.p99Ms), 7, true)}${pad(num(b?.serverCpuPct), 9, true)}${pad(num(b ? cpuPerDeliveryUs(b) : null), 9, true)}${pad(num(b?.clientCpuPct), 9, true)}${pad(b?.bound ?? '-', 8, true)}${pad(num(f.connectedRssMb), 8, true)}${pad(num(f.serverPeakRssMb), 8, true)}${pad(num(b?.loadAvg), 6, true)}${pad(peakText(f), 24, true)}  ${f.error ?? (failed ? `${num(failed.rate)}/s (bound ${failed.bound}): ${failed.reason}` : '(all steps passed)')}`,
      )
    }
  }
  if (results.idle.length > 0) {
    lines.push('', 'Idle cost — server RSS per idle subscriber, after GC')
    lines.push(`${pad('system', 22)}${pad('connections', 13, true)}${pad('KB/conn', 10, true)}${pad('base MB', 10, true)}${pad('loaded MB', 11, true)}`)
    for (const i of results.idle) {
      lines.push(
        `${pad(i.system, 22)}${pad(num(i.connections), 13, true)}${pad(num(i.kbPerConn), 10, true)}${pad(num(i.baselineRssMb), 10, true)}${pad(num(i.loadedRssMb), 11, true)}${i.error ? `  ${i.error}` : ''}`,
      )
    }
  }
  if (results.single.length > 0) {
    lines.push('', 'Single subscriber, 10 events/s — publish-to-receive latency')
    lines.push(`${pad('system', 22)}${pad('samples', 9, true)}${pad('p50 ms', 9, true)}${pad('p99 ms', 9, true)}${pad('max ms', 9, true)}`)
    for (const s of results.single) {
      lines.push(
        `${pad(s.system, 22)}${pad(num(s.samples), 9, true)}${pad(num(s.p50Ms), 9, true)}${pad(num(s.p99Ms), 9, true)}${pad(num(s.maxMs), 9, true)}${s.error ? `  ${s.error}` : ''}${s.lost ? `  lost ${s.lost}` : ''}`,
      )
    }
  }
  const rs = ratios(results)
  if (rs.length > 0) {
    lines.push('', 'Ratios within this run (targets of issue 15 first, then every pushline transport against every peer)')
    for (const r of rs) {
      const verdict = r.target === null ? '' : r.met === null ? 'n/a' : r.met ? 'ok' : 'MISSED'
      lines.push(`${pad(r.key, 62)}${pad(r.value ?? '-', 8, true)}  ${r.target ? `target ${pad(r.target, 7)} ${verdict}` : ''}`)
    }
  }
  console.log(lines.join('\n'))
}

/** One line per fan-out step as it completes. */
export function printStep(system: SystemName, n: number, publisher: PublisherKind, step: FanoutStep): void {
  console.log(
    `  ${pad(system, 21)} N=${pad(n, 5)} ${pad(publisher, 5)} ${pad(step.rate, 6, true)} ev/s -> ${pad(num(step.deliveriesPerSec), 10, true)} deliv/s  p50 ${step.p50Ms} p99 ${step.p99Ms} max ${step.maxMs} ms  lost ${step.lost}  cpu srv ${step.serverCpuPct}% clients ${step.clientCpuPct}% pub ${step.publisherCpuPct}% bound ${step.bound} load ${step.loadAvg}  ${step.ok ? 'ok' : `FAIL: ${step.reason}`}`,
  )
}
