import { LocalPublisher } from '../driver/publisher.js'
import { startServer, startWorkers } from '../driver/processes.js'
import { CpuMeter } from '../driver/proc-stats.js'
import { mergeStats } from '../driver/step-stats.js'
import { DRAIN_MS } from '../driver/step.js'
import { NGINX_CLIENT_KEEPALIVE, NGINX_PREAMBLE, NGINX_TEMP_PATHS, startNginx, workerPids } from './private-nginx.js'

/**
 * How long after the last publish the pollers behind the cache may take to catch up. Longer than the fan-out's
 * drain: nginx's `proxy_cache_lock` holds the pollers of a position for seconds (p50 3-3.4 s here), so the fan-out's
 * 2 s counted the last second's events as lost while they were on their way (49,242 "late", none skipped, in the
 * full run of 2026-12-04). `collect` returns as soon as everyone has caught up.
 */
const CACHE_DRAIN_MS = DRAIN_MS + 8_000

/**
 * Long-poll through a shared cache (issue 15): pushline with `longpollCacheMaxAgeSec`, behind a private nginx with
 * `proxy_cache` keyed by the URL and `proxy_cache_lock` (one request per URL goes to the origin, the others wait for
 * its answer). Every poll at one position has the same URL (channel + cursor), so the origin should see about one
 * request per event, not one per subscriber. The lock must outlast a hold, or waiting polls go to the origin.
 * nginx looks at a locked cache entry every 500 ms (a fixed timer in its file cache), so polls that wait on the
 * lock get their answer up to half a second after the origin gave it: the latency of this case is nginx's.
 */
export function cacheConfig(port: number, upstream: number, dir: string): string {
  return `${NGINX_PREAMBLE}
http { ${NGINX_TEMP_PATHS} ${NGINX_CLIENT_KEEPALIVE}
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=longpoll:16m max_size=256m inactive=60s use_temp_path=off;
  upstream origin { server 127.0.0.1:${upstream}; keepalive 256; }
  server { listen 127.0.0.1:${port} backlog=4096;
    location /rt/ {
      proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_read_timeout 60s;
      proxy_cache longpoll; proxy_cache_key $request_uri;
      proxy_cache_lock on; proxy_cache_lock_timeout 40s; proxy_cache_lock_age 40s;
      add_header X-Cache $upstream_cache_status;
    }
  }
}
`
}

export interface CacheResult {
  readonly n: number
  readonly rate: number
  readonly events: number
  readonly originRequests: number
  readonly originRequestsPerEvent: number
  readonly deliveriesPerSec: number
  /** Missing when the drain ended: `gaps` (skipped for good) plus late ones (still on their way). */
  readonly lost: number
  readonly gaps: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly originCpuPct: number
  readonly nginxCpuPct: number
  readonly error?: string
}

/** N pushline long-pollers through the cache, the in-process publisher at `rate` for `durationMs`. */
export async function runLongpollCache(n: number, rate: number, durationMs: number, workers: number): Promise<CacheResult> {
  const server = await startServer('pushline-longpoll', { env: { BENCH_LONGPOLL_CACHE_SEC: '60' } })
  const empty = { n, rate, events: 0, originRequests: 0, originRequestsPerEvent: 0, deliveriesPerSec: 0, lost: 0, gaps: 0, p50Ms: 0, p99Ms: 0, originCpuPct: 0, nginxCpuPct: 0 }
  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined
  try {
    nginx = await startNginx((port, dir) => cacheConfig(port, server.port, dir))
    const { pool, ready } = await startWorkers('pushline-longpoll', nginx.port, n, workers)
    try {
      if (ready.failed > 0) throw new Error(`${ready.failed} of ${n} subscribers failed: ${ready.error}`)
      const publisher = new LocalPublisher(server)
      // Warm-up: every subscriber on the same position.
      const warm = await publisher.run(Math.max(1, rate / 4), 1_000)
      await pool.collect(warm.lastSeq, CACHE_DRAIN_MS)
      const before = (await server.counters()).requests ?? 0
      const originCpu = new CpuMeter(server.workPids)
      const nginxCpu = new CpuMeter(workerPids(nginx.pid))
      const run = await publisher.run(rate, durationMs)
      const originCpuPct = originCpu.percent()
      const nginxCpuPct = nginxCpu.maxPercent()
      const stats = mergeStats(await pool.collect(run.lastSeq, CACHE_DRAIN_MS))
      const originRequests = ((await server.counters()).requests ?? 0) - before
      return {
        n,
        rate,
        events: run.sent,
        originRequests,
        originRequestsPerEvent: Math.round((originRequests / Math.max(1, run.sent)) * 100) / 100,
        deliveriesPerSec: Math.round(stats.received / (run.durationMs / 1000)),
        lost: stats.lost,
        gaps: stats.gaps,
        p50Ms: stats.p50Ms,
        p99Ms: stats.p99Ms,
        originCpuPct,
        nginxCpuPct,
      }
    } finally {
      await pool.stop()
    }
  } catch (caught) {
    return { ...empty, error: caught instanceof Error ? caught.message : String(caught) }
  } finally {
    await nginx?.stop()
    await server.stop()
  }
}

export function printCache(result: CacheResult): void {
  console.log(
    [
      '',
      `Long-poll behind a shared cache (nginx proxy_cache + proxy_cache_lock, longpollCacheMaxAgeSec 60), N=${result.n.toLocaleString('en-US')}, ${result.rate} events/s`,
      `  origin requests per event ${result.originRequestsPerEvent} (${result.originRequests} for ${result.events} events), deliveries/s ${result.deliveriesPerSec.toLocaleString('en-US')}, p50 ${result.p50Ms} p99 ${result.p99Ms} ms, lost ${result.lost} (${result.gaps} skipped, ${result.lost - result.gaps} late), origin CPU ${result.originCpuPct}%, nginx CPU ${result.nginxCpuPct}%${result.error ? `  ${result.error}` : ''}`,
    ].join('\n'),
  )
}
