import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { categorizeProfile } from './profile-categories.js'

/** The parts of a V8 `.cpuprofile` the summary reads. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  }[]
  readonly samples: readonly number[]
}

export interface ProfileLine {
  readonly name: string
  readonly selfPct: number
}

/**
 * Self time by function of a V8 CPU profile (`--cpu-prof`), largest first: where a server's time went. Functions
 * are named `name (file:line)` with the path cut to its package, so `(garbage collector)`, `writev` and fastify's
 * own steps stand out.
 */
export function summarizeProfile(file: string, top = 15): ProfileLine[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const nameOf = new Map<number, string>()
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame
    const where = url ? ` (${url.replace(/^.*node_modules\//, '').replace(/^.*\/(packages|apps)\//, '')}:${lineNumber + 1})` : ''
    nameOf.set(node.id, `${functionName || '(anonymous)'}${where}`)
  }
  const counts = new Map<string, number>()
  for (const id of profile.samples) {
    const name = nameOf.get(id) ?? '?'
    counts.set(name, (counts.get(name) ?? 0) + 1)
  }
  const total = profile.samples.length || 1
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, count]) => ({ name, selfPct: Math.round((count / total) * 1000) / 10 }))
}

/** Prints the summary of every profile in `dir` whose name starts with `prefix`. */
export function printProfiles(dir: string, prefix = ''): void {
  let files: string[] = []
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && f.startsWith(prefix))
  } catch {
    return
  }
  for (const file of files.sort()) {
    console.log(`\nCPU profile ${file} — self time, top functions`)
    for (const line of summarizeProfile(join(dir, file))) console.log(`  ${String(line.selfPct).padStart(5)} %  ${line.name}`)
    const breakdown = categorizeProfile(join(dir, file))
    console.log(`  by step (% of busy samples; busy ${breakdown.busyPct} % of the profile, ${breakdown.busyPerWrite} busy samples per writing sample):`)
    for (const line of breakdown.lines) console.log(`  ${String(line.busyPct).padStart(5)} %  ${line.name}`)
  }
}
