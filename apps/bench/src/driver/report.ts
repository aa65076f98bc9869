import type { SystemName } from '../systems.js'
import type { FanoutResult, FanoutStep } from './fanout.js'
import type { IdleResult } from './idle.js'
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

const STREAMING = ['pushline-websocket', 'pushline-sse', 'pushline-ndjson'] as const
/** The plain server each pushline transport is measured against. */
export const PLAIN_OF: Readonly<Record<string, SystemName>> = {
  'pushline-websocket': 'ws-plain',
  'pushline-sse': 'sse-plain',
  'pushline-ndjson': 'sse-plain',
  'pushline-longpoll': 'longpoll-plain',
}

/** Issue 7's targets, each a ratio of two systems measured in the same run. */
const TARGETS: readonly Target[] = [
  ...STREAMING.map((a): Target => ({ area: 'fanout', a, b: 'ws-coalesced', op: '>=', bound: 0.9 })),
  { area: 'fanout', a: 'pushline-longpoll', b: 'longpoll-plain', op: '>=', bound: 0.8 },
  ...STREAMING.map((a): Target => ({ area: 'fanout', a, b: 'socketio-websocket', op: '>=', bound: 1 })),
  ...Object.entries(PLAIN_OF).map(([a, b]): Target => ({ area: 'idle', a: a as SystemName, b, op: '<=', bound: 1.2 })),
  ...Object.keys(PLAIN_OF).map((a): Target => ({ area: 'idle', a: a as SystemName, b: 'socketio-websocket', op: '<=', bound: 0.5 })),
  ...Object.entries(PLAIN_OF).map(([a, b]): Target => ({ area: 'single', a: a as SystemName, b, op: '<=', bound: 1.5 })),
]

const round2 = (x: number): number => Math.round(x * 100) / 100

function fanoutFigure(result: FanoutResult): Record<string, unknown> {
  const shown: FanoutStep | undefined = result.best ?? result.steps[0]
  return {
    n: result.n,
    rate: result.best?.rate ?? 0,
    deliveriesPerSec: result.best?.deliveriesPerSec ?? 0,
    p50Ms: shown?.p50Ms ?? null,
    p99Ms: shown?.p99Ms ?? null,
    lost: shown?.lost ?? 0,
    maxMs: shown?.maxMs ?? null,
    serverCpuPct: shown?.serverCpuPct ?? null,
    serverPeakRssMb: result.serverPeakRssMb,
    clientCpuPct: shown?.clientCpuPct ?? null,
    ...(result.best ? {} : { sustained: false }),
    ...(result.error ? { error: result.error } : {}),
  }
}

/** The JSON line of issue 7: fanout (N=1000, or the largest N run), idleKbPerConn, single, ratios. */
export function resultJson(results: BenchResults): Record<string, unknown> {
  const ns = [...new Set(results.fanout.map((f) => f.n))].sort((a, b) => b - a)
  const byN = (n: number): Record<string, unknown> =>
    Object.fromEntries(results.fanout.filter((f) => f.n === n).map((f) => [f.system, fanoutFigure(f)]))
  const json: Record<string, unknown> = {
    fanout: ns.length > 0 ? byN(ns[0]!) : {},
  }
  for (const n of ns.slice(1)) json[`fanout${n}`] = byN(n)
  json.idleKbPerConn = Object.fromEntries(results.idle.map((i) => [i.system, i.kbPerConn]))
  json.single = Object.fromEntries(results.single.map((s) => [s.system, { p50Ms: s.p50Ms, p99Ms: s.p99Ms }]))
  json.ratios = Object.fromEntries(ratios(results, ns[0]).map((r) => [r.key, r.value]))
  return json
}

interface Ratio {
  readonly key: string
  readonly value: number | null
  readonly target: string
  readonly met: boolean | null
}

function ratios(results: BenchResults, n: number | undefined): Ratio[] {
  const fanout = (s: SystemName): number | undefined =>
    results.fanout.find((f) => f.system === s && f.n === n)?.best?.deliveriesPerSec
  const idle = (s: SystemName): number | undefined => results.idle.find((i) => i.system === s)?.kbPerConn ?? undefined
  const single = (s: SystemName): number | undefined => results.single.find((x) => x.system === s)?.p50Ms ?? undefined
  const value = { fanout, idle, single }
  const out: Ratio[] = []
  for (const t of TARGETS) {
    const a = value[t.area](t.a)
    const b = value[t.area](t.b)
    if (a === undefined && b === undefined) continue
    const ratio = a !== undefined && b !== undefined && b > 0 ? round2(a / b) : null
    out.push({
      key: `${t.area}:${t.a}/${t.b}`,
      value: ratio,
      target: `${t.op} ${t.bound}`,
      met: ratio === null ? null : t.op === '>=' ? ratio >= t.bound : ratio <= t.bound,
    })
  }
  return out
}

const pad = (text: string | number, width: number, right = false): string => {
  const s = String(text)
  return s.length >= width ? s : right ? ' '.repeat(width - s.length) + s : s + ' '.repeat(width - s.length)
}
const num = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : x.toLocaleString('en-US'))

/** The readable tables. */
export function printTables(results: BenchResults): void {
  const lines: string[] = []
  for (const n of [...new Set(results.fanout.map((f) => f.n))].sort((a, b) => b - a)) {
    lines.push('', `Fan-out, N=${n} subscribers — highest step with p99 < 100 ms and nothing lost`)
    lines.push(
      `${pad('system', 22)}${pad('events/s', 10, true)}${pad('deliveries/s', 14, true)}${pad('p50 ms', 9, true)}${pad('p99 ms', 9, true)}${pad('max ms', 9, true)}${pad('srv CPU%', 10, true)}${pad('srv peak MB', 13, true)}${pad('client CPU%', 13, true)}  next step failed on`,
    )
    for (const f of results.fanout.filter((x) => x.n === n)) {
      const b = f.best
      // A failed step above the best one (a failure that passed on its retry is not the limit).
      const failed = f.steps.find((s) => !s.ok && s.rate > (b?.rate ?? 0))
      lines.push(
        `${pad(f.system, 22)}${pad(num(b?.rate ?? 0), 10, true)}${pad(num(b?.deliveriesPerSec ?? 0), 14, true)}${pad(num(b?.p50Ms), 9, true)}${pad(num(b?.p99Ms), 9, true)}${pad(num(b?.maxMs), 9, true)}${pad(num(b?.serverCpuPct), 10, true)}${pad(num(f.serverPeakRssMb), 13, true)}${pad(num(b?.clientCpuPct), 13, true)}  ${f.error ?? (failed ? `${failed.rate}/s: ${failed.reason}` : '(all steps passed)')}`,
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
  const rs = ratios(results, Math.max(0, ...results.fanout.map((f) => f.n)))
  if (rs.length > 0) {
    lines.push('', "Issue 7's targets (ratios within this run)")
    for (const r of rs) {
      const verdict = r.met === null ? 'n/a' : r.met ? 'ok' : 'MISSED'
      lines.push(`${pad(r.key, 52)}${pad(r.value ?? '-', 8, true)}  target ${pad(r.target, 7)} ${verdict}`)
    }
  }
  console.log(lines.join('\n'))
}

/** One line per fan-out step as it completes. */
export function printStep(system: SystemName, n: number, step: FanoutStep): void {
  console.log(
    `  ${pad(system, 21)} N=${pad(n, 5)} ${pad(step.rate, 6, true)} ev/s -> ${pad(num(step.deliveriesPerSec), 10, true)} deliv/s  p50 ${step.p50Ms} p99 ${step.p99Ms} max ${step.maxMs} ms  lost ${step.lost}  cpu srv ${step.serverCpuPct}% clients ${step.clientCpuPct}% pub ${step.publisherCpuPct}%  ${step.ok ? 'ok' : `FAIL: ${step.reason}`}`,
  )
}
