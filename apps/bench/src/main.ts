import { availableParallelism, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { type FanoutResult, runFanout, scaledStart, searchFrom } from './driver/fanout.js'
import { type IdleResult, runIdle } from './driver/idle.js'
import { FANOUT_PEER_OF, PLAIN_OF, printStep, printTables, resultJson } from './driver/report.js'
import { peerGroups } from './driver/peer-groups.js'
import { StepTurns } from './driver/turns.js'
import { runSingleGroup, type SingleResult } from './driver/single.js'
import { printProfiles } from './driver/profile-summary.js'
import { printSettle, runSettle, type SettleResult } from './settle/settle.js'
import { SETTLE_CASES } from './settle/nginx-cases.js'
import { type CacheResult, printCache, runLongpollCache } from './nginx/longpoll-cache.js'
import { printReproduce, type ReproduceResult, runReproduce } from './driver/reproduce.js'
import { formatPollCostRun, type PollCostResult, printPollCost, runPollCost } from './driver/poll-cost.js'
import { formatPubCostRun, type PubCostResult, printPubCost, runPubCost } from './driver/pub-cost.js'
import { runLogBench } from './log/log-bench.js'
import { printLogBench } from './log/print.js'
import { printRedisBench, printRedisStep } from './redis/print.js'
import { INSTANCES, runRedisBench } from './redis/redis-bench.js'
import { isSystemName, START_RATE, SYSTEMS, type SystemName, supportsLocalPublisher } from './systems.js'
import type { PublisherKind } from './driver/publisher.js'
import type { StampMode } from './servers/local-publisher.js'

const HELP = `pushline bench — pushline and its peers side by side (issue 7), or the log benchmark (issue 2)

  pnpm bench                 full run: fan-out at N=1000 (publisher in-process and over HTTP), N=100 and N=10000
                             (in-process), the long-poll hot path, the HTTP publish cost, the long-poll cache case,
                             idle cost (5,000), single subscriber, settle behind nginx; 10 s steps
  pnpm bench --quick         fan-out at N=1000 only, in-process publisher, 1 s steps
  pnpm bench --log           MemoryLog append and catch-up read against plain-array limits
  pnpm bench --redis         fan-out: 3 instances on one Redis vs 1 on the MemoryLog, same run (issue 6)
                             (takes --quick, --n, --rates, --step-ms, --max-steps, --workers: workers per instance slot)

options: --systems a,b   --n 1000,100,10000   --publisher local,http,http1 (http1: one POST at a time)   --rates 100,200 (fixed ladder instead of the search; --all-rates: do not stop at a failure)
         --step-ms 10000   --max-steps K   --workers W   --only fanout,pollcost,pubcost,cache,idle,single,settle   --idle-n 5000   --single-ms 20000
         --cpu-prof [dir]
  --stamp due|sent           the in-process publisher's event times: due (default, the server's loop lag counts) or
                             sent (when its timer published them, as issue 15's own harness measured; for comparing only)
  --only reproduce [--repeats 3]   the harness against itself: each system's whole ladder run K times, interleaved,
                             fresh servers; the spread of the highest sustained rates in grid steps (not in the full run)
systems: ${SYSTEMS.join(', ')}`

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    log: { type: 'boolean', default: false },
    redis: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
    systems: { type: 'string' },
    n: { type: 'string' },
    rates: { type: 'string' },
    'all-rates': { type: 'boolean', default: false },
    'step-ms': { type: 'string' },
    'max-steps': { type: 'string' },
    workers: { type: 'string' },
    only: { type: 'string' },
    'idle-n': { type: 'string' },
    'single-ms': { type: 'string' },
    'cpu-prof': { type: 'string' },
    publisher: { type: 'string' },
    'cache-n': { type: 'string' },
    'settle-runs': { type: 'string' },
    'settle-ms': { type: 'string' },
    repeats: { type: 'string' },
    stamp: { type: 'string' },
  },
  allowPositionals: false,
})

// Events/s for N=1000 (deliveries/s = rate x N); smaller N scale the rate up to match.
const FULL_RATES = [50, 100, 150, 200, 300, 450, 700, 1000, 1500, 2200, 3300, 5000, 7500]
const QUICK_RATES = [50, 100, 200, 400, 800, 1600, 3200, 6400]

const list = (text: string | undefined): string[] | undefined => text?.split(',').map((s) => s.trim()).filter(Boolean)
const numbers = (text: string | undefined): number[] | undefined => list(text)?.map(Number).filter((x) => x > 0)

if (values.help) {
  console.log(HELP)
} else if (values.log) {
  printLogBench(await runLogBench({ quick: values.quick }))
} else if (values.redis) {
  // The full fan-out's rate steps (events/s for N=1000, scaled for other N), 3 s steps and the halfway retry; the
  // two sides stop at their first failure, which keeps the run under ~2 minutes (and no step starts after 100 s).
  const n = numbers(values.n)?.[0] ?? 1000
  // With --quick: the quick fan-out's doubling rates and 1 s steps (about 20 s).
  const rates = numbers(values.rates) ?? (values.quick ? QUICK_RATES : FULL_RATES).map((r) => Math.round((r * 1000) / n))
  const stepMs = Number(values['step-ms']) || (values.quick ? 1_000 : 3_000)
  const started = Date.now()
  console.log(`pushline bench --redis: N ${n}, ${INSTANCES} instances on one Redis vs 1 on the MemoryLog, ${stepMs} ms steps`)
  const result = await runRedisBench({
    n,
    rates,
    stepMs,
    workersPerSlot: Number(values.workers) || 1,
    budgetMs: 100_000,
    ...(Number(values['max-steps']) ? { maxSteps: Number(values['max-steps']) } : {}),
    onStep: printRedisStep,
  })
  printRedisBench(result, Math.round((Date.now() - started) / 1000))
} else {
  const quick = values.quick
  const systems = (list(values.systems) ?? [...SYSTEMS]).filter((s): s is SystemName => {
    if (!isSystemName(s)) console.error(`unknown system ${s} (ignored)`)
    return isSystemName(s)
  })
  const areas = new Set(list(values.only) ?? (quick ? ['fanout'] : ['fanout', 'pollcost', 'pubcost', 'cache', 'idle', 'single', 'settle']))
  const ns = numbers(values.n) ?? (quick ? [1000] : [1000, 100, 10_000])
  const publishers = (list(values.publisher) ?? (quick ? ['local'] : ['local', 'http'])).filter(
    (p): p is PublisherKind => p === 'local' || p === 'http' || p === 'http1',
  )
  // One core for the server, the rest for load (at least one worker); more workers than cores only add noise.
  const workers = Number(values.workers) || Math.max(1, Math.min(4, availableParallelism() - 1))
  const stepMs = Number(values['step-ms']) || (quick ? 1_000 : 10_000)
  // --quick is a smoke run: fewer rates per ladder (its bisection stops sooner).
  const maxSteps = Number(values['max-steps']) || (quick ? 6 : 8)
  const idleN = Number(values['idle-n']) || 5_000
  const singleMs = Number(values['single-ms']) || 20_000
  if (values.stamp !== undefined && values.stamp !== 'due' && values.stamp !== 'sent') {
    console.error(`--stamp must be due or sent, not ${values.stamp}`)
    process.exit(2)
  }
  const stamp: StampMode = values.stamp === 'sent' ? 'sent' : 'due'
  const cpuProfDir = values['cpu-prof'] === undefined ? undefined : values['cpu-prof'] || '.tmp/bench-prof'
  const started = Date.now()
  console.log(
    `pushline bench: ${systems.length} systems, areas ${[...areas].join('+')}, N ${ns.join('/')}, publishers ${publishers.join('+')}, ${workers} load worker(s), ${stepMs} ms steps${stamp === 'sent' ? ', in-process events stamped when SENT (not when due)' : ''}${cpuProfDir ? `, server CPU profiles in ${cpuProfDir}` : ''}`,
  )
  console.log(`machine: ${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the start`)

  const fanout: FanoutResult[] = []
  const idle: IdleResult[] = []
  const single: SingleResult[] = []
  if (areas.has('fanout')) {
    // N=1,000 first: the other N start their search from its result (scaled), so each takes a few steps.
    for (const n of ns) {
      // Off the first N the cost curve is measured with the in-process publisher only (time: see the README).
      const httpGroup = (publishers.includes('http') || publishers.includes('http1')) && (n === ns[0] || values.publisher !== undefined)
      for (const publisher of publishers) {
        if (publisher !== 'local' && !httpGroup) continue
        // The systems a ratio compares run side by side, taking turns step by step (turns.ts), at N <= 1,000; at
        // N = 10,000 one at a time (four servers with 10,000 subscribers each would be a different machine).
        const groups = n <= 1_000 ? peerGroups(systems, FANOUT_PEER_OF) : systems.map((system) => [system])
        for (const group of groups) {
          const turns = group.length > 1 ? new StepTurns() : undefined
          const ladders = group.flatMap((system) => {
            // A server that is not a Node process (Nchan) has no in-process publisher: it is published over HTTP,
            // in the HTTP group when there is one.
            const kind: PublisherKind = publisher === 'local' && !supportsLocalPublisher(system) ? 'http' : publisher
            if (kind !== publisher && httpGroup) return []
            const known = fanout.find((f) => f.system === system && f.publisher === kind && f.best)
            const guess = known?.best ? scaledStart(known.best.rate, known.n, n) : scaledStart(START_RATE[system], 1000, n)
            const rates = numbers(values.rates)
            return [
              runFanout(system, {
                n,
                ...(rates ? { rates, allRates: values['all-rates'] } : {}),
                search: searchFrom(guess, n),
                stepMs,
                workers,
                publisher: kind,
                stamp,
                retry: !quick,
                // The cost curve's other N start from the first N's result: a few steps past their first failure find
                // their edge (a guess that was too low climbs for free).
                ...(n === ns[0] || values['max-steps'] ? { maxSteps } : { maxSteps: Math.min(maxSteps, 4), budgetFromFirstFailure: true }),
                ...(cpuProfDir ? { cpuProfDir } : {}),
                ...(turns ? { turns } : {}),
                onStep: (step) => printStep(system, n, kind, step),
              }),
            ]
          })
          for (const result of await Promise.all(ladders)) {
            if (result.error) console.log(`  ${result.system} N=${n} ${result.publisher}: ${result.error}`)
            fanout.push(result)
          }
        }
      }
    }
  }
  const reproduce: ReproduceResult[] = []
  if (areas.has('reproduce')) {
    for (const publisher of publishers) {
      // Nchan has no in-process publisher: its runs are in the HTTP group.
      const measured = systems.filter((system) => publisher !== 'local' || supportsLocalPublisher(system))
      const results = await runReproduce(measured, {
        n: ns[0] ?? 1000,
        publisher,
        stamp,
        repeats: Number(values.repeats) || 3,
        stepMs,
        workers,
        maxSteps,
        onStep: (system, step) => printStep(system, ns[0] ?? 1000, publisher, step),
      })
      printReproduce(results)
      reproduce.push(...results)
    }
  }
  let pollCost: PollCostResult | undefined
  if (areas.has('pollcost')) {
    console.log('\nLong-poll hot path (pushline, the plain peer and the fastify floor, interleaved):')
    pollCost = await runPollCost({
      pollers: 200,
      windowMs: quick ? 2_000 : 5_000,
      rounds: quick ? 1 : 3,
      ...(cpuProfDir ? { cpuProfDir } : {}),
      onRun: (run) => console.log(formatPollCostRun(run)),
    })
  }
  let pubCost: PubCostResult | undefined
  if (areas.has('pubcost')) {
    console.log('\nHTTP publish cost (pushline, the plain peer and the fastify floor, interleaved):')
    pubCost = await runPubCost({
      rate: 5_000,
      windowMs: quick ? 2_000 : 5_000,
      rounds: quick ? 1 : 3,
      ...(cpuProfDir ? { cpuProfDir } : {}),
      onRun: (run) => console.log(formatPubCostRun(run)),
    })
  }
  let settle: SettleResult[] = []
  const settleMs = Number(values['settle-ms']) || (quick ? 3_000 : 10_000)
  if (areas.has('settle')) {
    settle = await runSettle(SETTLE_CASES, Number(values['settle-runs']) || (quick ? 1 : 3), settleMs)
  }
  let cache: CacheResult | undefined
  if (areas.has('cache')) {
    const n = Number(values['cache-n']) || (quick ? 200 : 10_000)
    cache = await runLongpollCache(n, quick ? 20 : 50, stepMs, workers)
    console.log(
      `  long-poll behind an nginx cache: N=${n}, ${cache.events} events -> ${cache.originRequests} origin requests (${cache.originRequestsPerEvent} per event), ${cache.deliveriesPerSec} deliveries/s, p50 ${cache.p50Ms} p99 ${cache.p99Ms} ms, lost ${cache.lost} (${cache.gaps} skipped, ${cache.lost - cache.gaps} late), origin CPU ${cache.originCpuPct}% nginx ${cache.nginxCpuPct}%${cache.error ? ` (${cache.error})` : ''}`,
    )
  }
  if (areas.has('idle')) {
    for (const system of systems) {
      const result = await runIdle(system, idleN, workers)
      console.log(`  ${system}: ${result.connections} idle connections, ${result.kbPerConn ?? '-'} KB each${result.error ? ` (${result.error})` : ''}`)
      idle.push(result)
    }
  }
  if (areas.has('single')) {
    // Each pushline transport at the same time as its plain peer, their publishes interleaved.
    for (const group of peerGroups(systems, PLAIN_OF)) {
      for (const result of await runSingleGroup(group, singleMs)) {
        console.log(`  ${result.system}: single subscriber p50 ${result.p50Ms} p99 ${result.p99Ms} ms${result.error ? ` (${result.error})` : ''}`)
        single.push(result)
      }
    }
    single.sort((a, b) => systems.indexOf(a.system) - systems.indexOf(b.system))
  }
  printTables({ fanout, idle, single })
  if (pollCost) printPollCost(pollCost)
  if (pubCost) printPubCost(pubCost)
  if (cache) printCache(cache)
  if (settle.length > 0) printSettle(settle, settleMs)
  if (cpuProfDir) printProfiles(cpuProfDir)
  console.log(`\n(${Math.round((Date.now() - started) / 1000)} s)`)
  console.log(JSON.stringify(resultJson({ fanout, idle, single }, { ...(stamp === 'sent' ? { stamp } : {}), ...(reproduce.length > 0 ? { reproduce } : {}), ...(pollCost ? { pollCost } : {}), ...(pubCost ? { pubCost } : {}), ...(cache ? { longpollCache: cache } : {}), ...(settle.length > 0 ? { settle } : {}) })))
}
