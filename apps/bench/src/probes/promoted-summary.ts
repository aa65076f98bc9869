import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * `node apps/bench/dist/probes/promoted-summary.js FILE [TOP]`: the allocation sites of a `.heapprofile` written by
 * probes/promoted.js, by bytes, each as `function file:line <- caller <- caller's caller`.
 */
interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}

interface ProfileNode {
  readonly callFrame: CallFrame
  readonly selfSize?: number
  readonly children?: readonly ProfileNode[]
}

function frameName(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber}`
}

/** Bytes by allocation site (the allocating frame and its two callers) and the total, from a sampling profile. */
export function promotedBySite(head: ProfileNode): { readonly total: number; readonly sites: Map<string, number> } {
  const sites = new Map<string, number>()
  let total = 0
  // Iterative: a deep stack must not overflow this one.
  const stack: { node: ProfileNode; path: readonly string[] }[] = [{ node: head, path: [] }]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const path = [...item.path.slice(-2), frameName(item.node.callFrame)]
    const bytes = item.node.selfSize ?? 0
    if (bytes > 0) {
      total += bytes
      const site = [...path].reverse().join('  <-  ')
      sites.set(site, (sites.get(site) ?? 0) + bytes)
    }
    for (const child of item.node.children ?? []) stack.push({ node: child, path })
  }
  return { total, sites }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top = '25'] = process.argv.slice(2)
  if (!file) throw new Error('usage: promoted-summary.js FILE.heapprofile [TOP]')
  const profile: unknown = JSON.parse(readFileSync(file, 'utf8'))
  const head = typeof profile === 'object' && profile !== null && 'head' in profile ? profile.head : undefined
  if (typeof head !== 'object' || head === null || !('callFrame' in head)) throw new Error(`${file}: not a heap profile`)
  const { total, sites } = promotedBySite(head as ProfileNode)
  console.log(`${(total / 1e6).toFixed(1)} MB sampled (what outlived the young generation)`)
  for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    console.log(`${((100 * bytes) / total).toFixed(1).padStart(5)} %  ${(bytes / 1e6).toFixed(1).padStart(6)} MB  ${site}`)
  }
}
