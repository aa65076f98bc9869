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

describe('bench harness', () => {
  it.each(['ws-plain', 'pushline-sse'])('runs one fan-out step against %s and ends with the JSON line', async (system) => {
    const stdout = await runBench(['--systems', system, '--n', '3', '--rates', '20', '--step-ms', '300', '--only', 'fanout'])
    const lines = stdout.trim().split('\n')
    const json = JSON.parse(lines.at(-1)!) as {
      fanout: Record<string, { n: number; rate: number; deliveriesPerSec: number; lost: number; p50Ms: number; p99Ms: number }>
      idleKbPerConn: object
      single: object
      ratios: object
    }
    expect(Object.keys(json)).toEqual(['fanout', 'idleKbPerConn', 'single', 'ratios'])
    const figure = json.fanout[system]!
    expect(figure.n).toBe(3)
    expect(figure.lost).toBe(0)
    // Whether the step counts as sustained depends on the machine's load; the figures must be there either way.
    expect(typeof figure.rate).toBe('number')
    expect(typeof figure.deliveriesPerSec).toBe('number')
    expect(figure.p50Ms).toBeGreaterThan(0)
    expect(figure.p99Ms).toBeGreaterThanOrEqual(figure.p50Ms)
    expect(stdout).toContain('Fan-out, N=3 subscribers')
  })
})
