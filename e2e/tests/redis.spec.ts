import { expectBadge, expectEveryEvent, openDemo, record, type TransportName } from '../fixtures/page.js'
import { type DemoInstance, expect, nginxAccessLog, test } from '../fixtures/scale-out.js'

// Scale-out: three demo instances on one private Redis (REDIS_URL), behind one nginx with plain round-robin
// (e2e/nginx/round-robin.conf). The page, forced onto one transport, watches a load channel while one instance
// publishes a burst and the other two are SIGKILLed and restarted one after the other: the page's stream is cut
// (or its long-polls hop between instances, some of which are dead) and it must resume on another instance from its
// cursor. Every event must arrive once, in order, with no reset.

const ENDPOINTS: Record<TransportName, string> = { websocket: '/rt/ws', sse: '/rt/sse', ndjson: '/rt/stream', longpoll: '/rt/poll' }
const COUNT = 1200
const RATE = 120 // 10 s of burst: room for two kill/restart cycles
const DOWN_MS = 1500

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Instances (any of their processes) that served a request to `endpoint`, per the demo's request log. */
function servedBy(instances: readonly DemoInstance[], endpoint: string): string[] {
  return instances.filter((instance) => instance.log.includes(`"url":"${endpoint}`)).map((instance) => instance.name)
}

/** The instance each long-poll of `channel` was answered by, in order, from nginx's access log (last tried wins). */
function pollUpstreams(nginxLog: string, channel: string): string[] {
  const wanted = `channel=${encodeURIComponent(channel)}`
  return nginxLog
    .split('\n')
    .filter((line) => line.startsWith('GET /rt/poll?') && line.includes(wanted) && / (200|204) upstream=/.test(line))
    .map((line) => line.slice(line.indexOf('upstream=') + 9).split(', ').at(-1) ?? '')
}

for (const transport of Object.keys(ENDPOINTS) as TransportName[]) {
  test(`scale-out: ${transport} through round-robin nginx over three instances on Redis, instances killed and restarted`, async ({
    page,
    scaleOut,
    loadChannel,
  }, testInfo) => {
    test.setTimeout(90_000)
    const { instances, nginx } = scaleOut
    const endpoint = ENDPOINTS[transport]
    const cursor = await instances[0]!.demo.head(loadChannel)
    await openDemo(page, nginx.url, { transports: [transport], watch: [loadChannel], cursor })
    await expectBadge(page, transport, 'negotiated')

    // Streams: cut the page's own connection first. Long-polls hop anyway: any instance but the publisher will do.
    let first = instances[1]!
    if (transport !== 'longpoll') {
      await expect.poll(() => servedBy(instances, endpoint).length, { message: `an instance serving ${endpoint}` }).toBe(1)
      first = instances.find((instance) => instance.name === servedBy(instances, endpoint)[0])!
    }
    const publisher = instances.find((instance) => instance !== first)!
    const second = instances.find((instance) => instance !== first && instance !== publisher)!

    const burst = await publisher.demo.startBurst(loadChannel, COUNT, RATE)
    const started = Date.now()
    for (const [victim, at] of [
      [first, 2000],
      [second, 6000],
    ] as const) {
      await sleep(Math.max(0, started + at - Date.now()))
      await victim.kill()
      await sleep(DOWN_MS)
      await victim.start()
    }
    const status = await publisher.demo.burstDone(burst.id, (COUNT / RATE) * 1000 + 20_000)
    expect(status.published).toBe(COUNT)
    await expectEveryEvent(page, loadChannel, COUNT, testInfo)

    const seen = await record(page)
    expect(seen.resets, 'resets on the page').toEqual([])
    expect(seen.transport).toBe(transport)
    if (transport === 'longpoll') {
      // Plain round-robin: the page's long-polls were answered by all three instances, and consecutive polls
      // mostly by different ones (a poll retried past a dead instance may repeat its predecessor's).
      const upstreams = pollUpstreams(await nginxAccessLog(nginx), loadChannel)
      const hops = upstreams.filter((u, i) => i > 0 && u !== upstreams[i - 1]).length
      testInfo.annotations.push({ type: 'long-polls', description: `${upstreams.length} polls, ${hops} on another instance than the previous one` })
      expect(new Set(upstreams).size, 'instances that answered long-polls').toBe(3)
      expect(hops / Math.max(1, upstreams.length - 1), `share of long-polls on another instance (${upstreams.length} polls)`).toBeGreaterThan(0.5)
    } else {
      // The page's stream was cut with its instance and resumed on another one.
      testInfo.annotations.push({ type: 'stream served by', description: servedBy(instances, endpoint).join(', ') })
      expect(servedBy(instances, endpoint).length, `instances that served ${endpoint}`).toBeGreaterThanOrEqual(2)
    }
  })
}
