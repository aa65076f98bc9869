import { createServer, type ServerResponse } from 'node:http'
import { readBody, serve } from './harness.js'

// Peer `longpoll-plain`: a plain Node long-poll server with batching. Cursors are sequence numbers. Parked polls
// are woken in one batch per tick, so every event published in that tick goes out in one response, and polls at
// the same cursor share one serialized body (until the next publish), parked or not.
const HOLD_MS = 25_000
const RETAIN = 100_000
const TRIM = 10_000
const MAX_BATCH = 1_000
/**
 * A/B knob, off by default: BENCH_PLAIN_ENVELOPE=1 wraps each event the way protocol 1 does (channel, a cursor of
 * pushline's length, data), so the plain server sends pushline's bytes per event with its own code path.
 */
const ENVELOPE = process.env.BENCH_PLAIN_ENVELOPE === '1'

const events: string[] = []
let firstSeq = 1
let headSeq = 0
let parked: { res: ServerResponse; after: number; timer: NodeJS.Timeout }[] = []
let flushScheduled = false

/** Answers since the last publish, by cursor: every poll at one position shares one serialized body. */
let answers = new Map<number, Buffer>()

function batchAfter(after: number): Buffer {
  let body = answers.get(after)
  if (body === undefined) {
    const from = Math.max(after + 1, firstSeq)
    const batch = events.slice(from - firstSeq, from - firstSeq + MAX_BATCH)
    body = Buffer.from(`{"events":[${batch.join(',')}],"cursor":${from - 1 + batch.length}}`)
    answers.set(after, body)
  }
  return body
}

function send(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, 'cache-control': 'no-cache' })
  res.end(body)
}

function flush(): void {
  flushScheduled = false
  const waiting = parked
  parked = []
  for (const poll of waiting) {
    clearTimeout(poll.timer)
    if (!poll.res.destroyed) send(poll.res, batchAfter(poll.after))
  }
}

function publish(text: string): void {
  headSeq++
  events.push(ENVELOPE ? `{"channel":"bench","cursor":"k0b3nch4ab-${headSeq}","data":${text}}` : text)
  if (answers.size > 0) answers = new Map()
  // Trimmed in blocks: `shift()` per event would move the whole array every time.
  if (events.length > RETAIN + TRIM) {
    events.splice(0, TRIM)
    firstSeq += TRIM
  }
  if (!flushScheduled && parked.length > 0) {
    flushScheduled = true
    setImmediate(flush)
  }
}

const server = createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    publish((await readBody(req)).toString())
    res.writeHead(204).end()
    return
  }
  if (req.method === 'GET' && req.url?.startsWith('/poll')) {
    const raw = new URL(req.url, 'http://x').searchParams.get('cursor')
    if (raw === null) return send(res, Buffer.from(`{"events":[],"cursor":${headSeq}}`))
    const after = Number(raw)
    if (after < headSeq) return send(res, batchAfter(after))
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
await serve(server, publish)
