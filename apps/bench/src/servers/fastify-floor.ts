import { type LogEvent, longpollBatch, longpollRunsBatch, MemoryLog } from '@pushline/core'
import Fastify from 'fastify'
import { installControl } from './harness.js'

// The floor of a long-poll answer in fastify (the poll-cost area, driver/poll-cost.ts): `GET /rt/poll` answers at
// once with ONE shared Buffer holding the last events published, in pushline's runs answer format (what its
// client asks for) and with pushline's headers, whatever the query says: no log read, no admission, no hold.
// fastify's own lifecycle (routing, query parsing, request and reply objects, `reply.send`) plus the write is all it
// costs, so pushline's long-poll at a position where events wait can be compared with what fastify itself allows.
// `POST /rt/publish` is the same for a publish (the publish-cost area, driver/pub-cost.ts): fastify's JSON body
// parser, a check that `channel` and `data` are there, and a 201 `{"cursor"}` with pushline's headers; nothing is
// appended anywhere.
const KEEP = 10
const log = new MemoryLog()
const recent: LogEvent[] = []
let body = Buffer.from(longpollBatch([], await log.head()))
let cursor = await log.head()

const app = Fastify({ logger: false })
app.get('/rt/poll', (_request, reply) => {
  reply.header('cache-control', 'no-cache, no-store, no-transform').type('application/json; charset=utf-8')
  reply.header('pushline-cursor', cursor).send(body)
})
let published = 0
app.post('/rt/publish', (request, reply) => {
  const body = request.body
  if (typeof body !== 'object' || body === null || !('channel' in body) || !('data' in body)) {
    reply.code(400).send({ error: { code: 'RT_ERR_REQUEST_INVALID', message: 'publish needs {"channel","data"}' } })
    return
  }
  published++
  reply.code(201).header('cache-control', 'no-store').type('application/json; charset=utf-8')
  reply.send(`{"cursor":"floor00000-${published}"}`)
})
await app.listen({ host: '127.0.0.1', port: 0, backlog: 4096 })
installControl(async (text) => {
  const event = await log.append('bench', JSON.parse(text))
  recent.push(event)
  if (recent.length > KEEP) recent.shift()
  cursor = event.cursor
  body = Buffer.from(longpollRunsBatch(recent, ['bench'], cursor) ?? longpollBatch(recent, cursor))
})
const address = app.server.address()
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`)
