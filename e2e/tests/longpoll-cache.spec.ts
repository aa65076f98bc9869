import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { OwnedProcess } from '../fixtures/child-process.js'
import { freePort } from '../fixtures/free-port.js'
import { NGINX_BIN } from '../fixtures/nginx.js'
import { expect, test } from '../fixtures/test.js'

// Long-poll that a proxy can collapse (issue 15): the demo with LONGPOLL_CACHE_SEC (answers with events are
// `Cache-Control: public, max-age=60`) behind nginx's proxy_cache + proxy_cache_lock (e2e/nginx/longpoll-cache.conf).
// POLLERS long-pollers at one position on one channel, EVENTS events published server-side: every poller gets
// every event once, in order, and the ORIGIN sees about one poll per event, not one per poller (counted in the
// demo's own request log, where every request it serves is a line).
test.use({ demoOptions: { tickerMs: 0, env: { LONGPOLL_CACHE_SEC: '60' } } })

const POLLERS = 200
const EVENTS = 20
const RATE = 5

interface Answer {
  readonly status: number
  readonly cache: string
  readonly body: string
}

function get(agent: Agent, port: number, path: string): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.once('end', () => done({ status: res.statusCode ?? 0, cache: String(res.headers['x-cache'] ?? ''), body }))
      res.once('error', fail)
    })
    req.once('error', fail)
    req.end()
  })
}

/** One long-poller following the cursor until it has `count` events (or the deadline passes). */
async function poller(agent: Agent, port: number, channel: string, cursor: string, count: number, deadline: number) {
  const received: number[] = []
  const cacheStatuses: string[] = []
  let at = cursor
  // Bounded by the deadline.
  while (received.length < count && Date.now() < deadline) {
    const answer = await get(agent, port, `/rt/poll?channel=${encodeURIComponent(channel)}&cursor=${encodeURIComponent(at)}`)
    cacheStatuses.push(answer.cache)
    if (answer.status === 204) continue
    if (answer.status !== 200) throw new Error(`poll answered ${answer.status}: ${answer.body.slice(0, 200)}`)
    const batch = JSON.parse(answer.body) as { events: { data: { n: number } }[]; cursor: string }
    for (const event of batch.events) received.push(event.data.n)
    at = batch.cursor
  }
  return { received, cacheStatuses }
}

async function startCacheProxy(upstream: number): Promise<{ proxy: OwnedProcess; port: number; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'pushline-e2e-nginx-cache-'))
  // mkdtemp makes it 0700: an nginx started as root runs its workers as `nobody`, which must reach the cache
  // directory in it (else every cacheable answer is a 500).
  await chmod(dir, 0o755)
  await mkdir(join(dir, 'tmp'), { recursive: true })
  const port = await freePort()
  const template = await readFile(resolve(import.meta.dirname, '../nginx/longpoll-cache.conf'), 'utf8')
  const conf = template
    .replaceAll('{{NAME}}', 'longpoll-cache')
    .replaceAll('{{PORT}}', String(port))
    .replaceAll('{{UPSTREAM}}', String(upstream))
    .replaceAll('{{DIR}}', dir)
  await writeFile(join(dir, 'nginx.conf'), conf)
  const proxy = new OwnedProcess('nginx (longpoll-cache)', NGINX_BIN, ['-p', dir, '-c', 'nginx.conf', '-e', 'stderr', '-g', 'daemon off;'])
  const deadline = Date.now() + 10_000
  // Bounded by the deadline: until the config answers.
  for (;;) {
    if (!proxy.running) throw new Error(`nginx exited:\n${proxy.log}`)
    const answer = await fetch(`http://127.0.0.1:${port}/__e2e/conf`).then((r) => r.text(), () => '')
    if (answer.trim() === 'longpoll-cache') return { proxy, port, dir }
    if (Date.now() > deadline) throw new Error(`nginx did not start:\n${proxy.log}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

test(`long-poll through proxy_cache + proxy_cache_lock: ${POLLERS} pollers at one position cost the origin about one poll per event`, async ({
  demo,
  loadChannel,
}, testInfo) => {
  test.setTimeout(90_000)
  const { proxy, port, dir } = await startCacheProxy(demo.port)
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY })
  try {
    // One position for everyone: the head, read once at the origin (a cursorless poll is never cacheable).
    const start = await demo.head(loadChannel)
    const originPolls = (): number =>
      demo.process.log
        .split('\n')
        .filter((line) => line.includes('"incoming request"') && line.includes(`channel=${encodeURIComponent(loadChannel)}&cursor=`)).length
    const deadline = Date.now() + 60_000
    const polls = Array.from({ length: POLLERS }, () => poller(agent, port, loadChannel, start, EVENTS, deadline))
    // Every poller is parked at the start position (one at the origin, the rest on nginx's cache lock) before the
    // events come; waited on the condition, the origin's held poll.
    await expect.poll(originPolls, { timeout: 10_000 }).toBeGreaterThanOrEqual(1)
    const burst = await demo.startBurst(loadChannel, EVENTS, RATE)
    await demo.burstDone(burst.id, 30_000)
    const results = await Promise.all(polls)

    const expected = Array.from({ length: EVENTS }, (_, n) => n)
    for (const { received } of results) expect(received).toEqual(expected)
    const origin = originPolls()
    const statuses = results.flatMap((r) => r.cacheStatuses)
    const hits = statuses.filter((s) => s === 'HIT').length
    await testInfo.attach('longpoll-cache.json', {
      body: JSON.stringify({ pollers: POLLERS, events: EVENTS, originPolls: origin, answers: statuses.length, hits }, null, 2),
      contentType: 'application/json',
    })
    // About one origin poll per event (a batch may carry several events, so fewer is fine); without the cache it
    // would be one per poller and event (POLLERS x EVENTS = 4,000).
    expect(origin).toBeLessThanOrEqual(EVENTS + 2)
    expect(hits).toBeGreaterThan(statuses.length / 2)
  } finally {
    agent.destroy()
    await proxy.stop()
    // The test's status is not known yet here: nginx's log (warnings and errors only) is always attached.
    await testInfo.attach('nginx.log', { body: proxy.log, contentType: 'text/plain' })
    await rm(dir, { recursive: true, force: true })
  }
})
