import { readFileSync } from 'node:fs'

/** The parts of a V8 `.cpuprofile` the breakdown reads. */
interface CallFrame {
  readonly functionName: string
  readonly url: string
}
interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: CallFrame; readonly children?: readonly number[] }[]
  readonly samples: readonly number[]
}

const NODE = (url: string): boolean => url === '' || url.startsWith('node:')

/**
 * Where a long-poll server's time goes, by step of a poll (issue 15). A sample counts for the innermost frame of its
 * stack that one of these names, tried in order (so `writev` under fastify's `reply.send` is writing, not fastify).
 */
const CATEGORIES: readonly (readonly [string, (f: CallFrame) => boolean])[] = [
  ['idle', (f) => f.functionName === '(idle)'],
  ['gc', (f) => f.functionName === '(garbage collector)'],
  [
    'writing (syscall + node http/streams)',
    (f) =>
      NODE(f.url) &&
      /^(writev|writeBuffer|writeUtf8String|writeLatin1String|writevGeneric|writeGeneric|clearBuffer|_writeRaw|_send|end|_storeHeader|writeHead|_implicitHeader|processHeader|onFinish|resOnFinish)$/.test(
        f.functionName,
      ),
  ],
  [
    'http parsing (node)',
    (f) => NODE(f.url) && /^(parserOnHeadersComplete|parserOnIncoming|parserOnBody|parserOnMessageComplete|execute|parse|onParserExecute|onParserExecuteCommon)$/.test(f.functionName),
  ],
  ['fastify routing (find-my-way)', (f) => f.url.includes('find-my-way')],
  ['query parsing (fast-querystring)', (f) => f.url.includes('fast-querystring')],
  ['fastify lifecycle (hooks, reply)', (f) => f.url.includes('/fastify/') || f.url.includes('/avvio/')],
  ['pushline admission (limits, access)', (f) => /server\/dist\/(admission|access|limits\/)/.test(f.url)],
  ['pushline query checks', (f) => /server\/dist\/(subscription|longpoll\/poll-query)|core\/dist\/(cursor|channels|validation)/.test(f.url)],
  ['pushline read + serialize', (f) => /core\/dist\/(memory-log|channel-log|wire|frames)/.test(f.url) || /poll-group/.test(f.url) && /read/i.test(f.functionName)],
  ['pushline long-poll + lifecycle', (f) => /server\/dist\/(transports\/longpoll|longpoll\/|lifecycle\/|connections|metrics|publisher)/.test(f.url)],
  ['pushline other', (f) => /(server|core)\/dist\//.test(f.url)],
  ['promises, microtasks, ticks', (f) => /^(runMicrotasks|processTicksAndRejections|nextTick|processImmediate)$/.test(f.functionName)],
  ['timers', (f) => f.url.includes('node:internal/timers')],
  ['events (listeners)', (f) => f.url === 'node:events'],
  ['the bench publisher + control', (f) => f.url.includes('bench/dist')],
]

export interface CategoryLine {
  readonly name: string
  /** Share of the busy (non-idle) samples. */
  readonly busyPct: number
}

export interface Breakdown {
  /** Share of all samples that were busy. */
  readonly busyPct: number
  /** Busy samples per `writing` sample: with one write per answer, CPU per answer in units of its write. */
  readonly busyPerWrite: number
  readonly lines: readonly CategoryLine[]
}

export function categorizeProfile(file: string): Breakdown {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const categoryOf = new Map<number, string>()
  const classify = (id: number): string => {
    const known = categoryOf.get(id)
    if (known) return known
    let found = 'other'
    // Bounded by the depth of the call tree.
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame
      const rule = frame && CATEGORIES.find(([, test]) => test(frame))
      if (rule) {
        found = rule[0]
        break
      }
    }
    categoryOf.set(id, found)
    return found
  }
  const counts = new Map<string, number>()
  for (const id of profile.samples) {
    const name = classify(id)
    counts.set(name, (counts.get(name) ?? 0) + 1)
  }
  const total = profile.samples.length || 1
  const busy = Math.max(1, total - (counts.get('idle') ?? 0))
  const write = Math.max(1, counts.get('writing (syscall + node http/streams)') ?? 0)
  const lines = [...counts.entries()]
    .filter(([name]) => name !== 'idle')
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => ({ name, busyPct: Math.round((count / busy) * 1000) / 10 }))
  return { busyPct: Math.round((busy / total) * 1000) / 10, busyPerWrite: Math.round((busy / write) * 100) / 100, lines }
}
