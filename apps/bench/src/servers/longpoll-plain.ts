import { createServer, type ServerResponse } from 'node:http'
import { readBody, serve } from './harness.js'

// Peer `longpoll-plain`: a plain Node long-poll server with batching. Cursors are sequence numbers. Parked polls
// are answered once per tick, so every event published in that tick goes out in one response, and polls that
// wait on the same cursor share one response body.
const HOLD_MS = 25_000
const RETAIN = 100_000

const events: string[] = []
let firstSeq = 1
let headSeq = 0
let parked: { res: ServerResponse; after: number; timer: NodeJS.Timeout }[] = []
let flushScheduled = false

function batchAfter(after: number, cache: Map<number, Buffer>): Buffer {
  let body = cache.get(after)
  if (body === undefined) {
    const from = Math.max(after + 1, firstSeq)
    body = Buffer.from(`{"events":[${events.slice(from - firstSeq).join(',')}],"cursor":${headSeq}}`)
    cache.set(after, body)
  }
  return body
}

function send(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, 'cache-control': 'no-cache' })
  res.end(body)
}

function flush(): void {
  flushScheduled = false
  const cache = new Map<number, Buffer>()
  const waiting = parked
  parked = []
  for (const poll of waiting) {
    clearTimeout(poll.timer)
    if (!poll.res.destroyed) send(poll.res, batchAfter(poll.after, cache))
  }
}

const server = createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    const body = await readBody(req)
    events.push(body.toString())
    headSeq++
    if (events.length > RETAIN) {
      events.shift()
      firstSeq++
    }
    if (!flushScheduled && parked.length > 0) {
      flushScheduled = true
      setImmediate(flush)
    }
    res.writeHead(204).end()
    return
  }
  if (req.method === 'GET' && req.url?.startsWith('/poll')) {
    const raw = new URL(req.url, 'http://x').searchParams.get('cursor')
    if (raw === null) return send(res, Buffer.from(`{"events":[],"cursor":${headSeq}}`))
    const after = Number(raw)
    if (after < headSeq) return send(res, batchAfter(after, new Map()))
    const poll = {
      res,
      after,
      timer: setTimeout(() => {
        parked = parked.filter((p) => p !== poll)
        res.writeHead(204).end()
      }, HOLD_MS),
    }
    parked.push(poll)
    res.on('close', () => clearTimeout(poll.timer))
    return
  }
  res.writeHead(404).end()
})
await serve(server)
