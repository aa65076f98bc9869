import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// A smoke test of the harness, not a benchmark: one short step against one system, and the closing JSON line is
// well formed. Needs `pnpm --filter @pushline/bench build` (and the workspace packages it imports) first.
const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js')

function runBench(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('node', [main, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

interface FanoutFigure {
  rate: number
  deliveriesPerSec: number
  lost: number
  p50Ms: number
  p99Ms: number
  bound: string
  cpuPerDeliveryUs: number | null
  /** Set when the system could not be measured (a server that did not start, say). */
  error?: string
}

describe('bench harness', () => {
  it.each([
    ['ws-coalesced', 'local'],
    ['pushline-sse', 'local'],
    ['pushline-websocket', 'http'],
    ['nchan-websocket', 'http'],
  ])('runs one fan-out step against %s (publisher %s) and ends with the JSON line', async (system, publisher) => {
    const stdout = await runBench(['--systems', system, '--n', '3', '--rates', '20', '--step-ms', '300', '--only', 'fanout', '--publisher', publisher])
    const lines = stdout.trim().split('\n')
    const json = JSON.parse(lines.at(-1)!) as { fanout: Record<string, Record<string, FanoutFigure>>; idleKbPerConn: object; single: object; ratios: object }
    expect(Object.keys(json)).toEqual(['fanout', 'idleKbPerConn', 'single', 'ratios'])
    const figure = json.fanout[`3/${publisher}`]![system]!
    expect(figure.error).toBeUndefined()
    expect(figure.lost).toBe(0)
    // Whether the step counts as sustained depends on the machine's load; the figures must be there either way.
    expect(typeof figure.rate).toBe('number')
    expect(typeof figure.deliveriesPerSec).toBe('number')
    expect(['server', 'clients', 'neither']).toContain(figure.bound)
    expect(figure.p50Ms).toBeGreaterThan(0)
    expect(figure.p99Ms).toBeGreaterThanOrEqual(figure.p50Ms)
    expect(stdout).toContain('Fan-out, N=3 subscribers')
  })

  it('measures origin requests per event of long-polls behind an nginx cache', async () => {
    const stdout = await runBench(['--only', 'cache', '--cache-n', '20', '--step-ms', '1000'])
    const json = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      longpollCache: { n: number; events: number; originRequests: number; originRequestsPerEvent: number; lost: number; error?: string }
    }
    const cache = json.longpollCache
    expect(cache.error).toBeUndefined()
    expect(cache.n).toBe(20)
    expect(cache.events).toBeGreaterThan(0)
    expect(cache.lost).toBe(0)
    // 20 pollers at one position: without the cache the origin would see about 20 requests per event.
    expect(cache.originRequestsPerEvent).toBeLessThan(5)
  })
})

describe('bench single subscriber', () => {
  it('measures a pushline transport and its plain peer side by side and reports their ratio', async () => {
    const stdout = await runBench(['--systems', 'pushline-longpoll,longpoll-plain', '--only', 'single', '--single-ms', '1000'])
    const json = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      single: Record<string, { p50Ms: number; p99Ms: number }>
      ratios: Record<string, number | null>
    }
    expect(Object.keys(json.single)).toEqual(['pushline-longpoll', 'longpoll-plain'])
    for (const figure of Object.values(json.single)) expect(figure.p50Ms).toBeGreaterThan(0)
    expect(json.ratios['single:pushline-longpoll/longpoll-plain']).toBeGreaterThan(0)
  })
})

describe('bench --only reproduce', () => {
  it('runs each ladder twice, interleaved, and reports each run and their spread', async () => {
    const stdout = await runBench(['--only', 'reproduce', '--systems', 'ws-coalesced,pushline-websocket', '--n', '3', '--repeats', '2', '--max-steps', '2', '--step-ms', '300', '--publisher', 'local'])
    const json = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      reproduce: { system: string; rates: (number | null)[]; spreadSteps: number | null; reproduces: boolean; errors: string[] }[]
    }
    expect(json.reproduce.map((r) => r.system)).toEqual(['ws-coalesced', 'pushline-websocket'])
    for (const r of json.reproduce) {
      expect(r.errors).toEqual([])
      expect(r.rates).toHaveLength(2)
      // Whether two 300 ms ladders land on the same step depends on the machine; the verdict must follow the spread.
      expect(r.reproduces).toBe(r.spreadSteps !== null && r.spreadSteps <= 1)
    }
    // Interleaved: the first system's second ladder comes after the second system's first.
    const order = stdout.split('\n').filter((line) => / ev\/s -> /.test(line)).map((line) => line.trim().split(/\s+/)[0])
    const firstOther = order.indexOf('pushline-websocket')
    expect(firstOther).toBeGreaterThan(0)
    expect(order.lastIndexOf('ws-coalesced')).toBeGreaterThan(firstOther)
    expect(stdout).toContain('Reproducibility: each ladder run 2 times')
  })
})

describe('bench --redis', () => {
  // Starts its own redis-server (must be on PATH, as for packages/redis's tests), three instances on it and one on
  // the MemoryLog; one short step each. Checks the shape of the closing JSON line and that nothing was lost.
  it('runs one step on each side and ends with the redis JSON line', async () => {
    const stdout = await runBench(['--redis', '--n', '6', '--rates', '20', '--step-ms', '300'])
    const json = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      redis: Record<string, { instances: number; n: number; lost: number; deliveriesPerSec: number; p50Ms: number }>
    }
    expect(Object.keys(json.redis).slice(0, 3)).toEqual(['memory', 'redis3', 'ratio'])
    expect(json.redis.memory!.instances).toBe(1)
    expect(json.redis.redis3!.instances).toBe(3)
    for (const side of [json.redis.memory!, json.redis.redis3!]) {
      expect(side.n).toBe(6)
      expect(side.lost).toBe(0)
      expect(side.p50Ms).toBeGreaterThan(0)
    }
    expect(stdout).toContain('3 instances on one Redis vs 1 on the MemoryLog')
  })
})
