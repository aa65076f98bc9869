import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { SYSTEM_SPECS } from '../systems.js'
import { Publisher } from './publisher.js'

interface Received {
  readonly seq: number
  readonly socket: number
}

/** A node:http server recording each POST body's sequence number and the connection it came on. */
async function recordingServer(answer: (seq: number) => { status: number; body?: string }): Promise<{
  server: Server
  port: number
  received: Received[]
}> {
  const received: Received[] = []
  const sockets = new Map<object, number>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const seq = Number(/#(\d+)@/.exec(Buffer.concat(chunks).toString())?.[1])
      if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size)
      received.push({ seq, socket: sockets.get(req.socket) ?? -1 })
      const { status, body } = answer(seq)
      // Answers out of step with the requests' arrival: some at once, some a little later (still in order on the wire).
      setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(body), seq % 3)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as AddressInfo).port, received }
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})

describe('the HTTP publisher (pipelined raw connection)', () => {
  it('sends every event once, in order, on one connection, and reads every answer (201 with a body, 204)', async () => {
    const { server, port, received } = await recordingServer((seq) =>
      seq % 2 === 0 ? { status: 201, body: `{"cursor":"e-${seq}"}` } : { status: 204 },
    )
    servers.push(server)
    const publisher = new Publisher(port, SYSTEM_SPECS['longpoll-plain'])
    const first = await publisher.run(2_000, 300)
    const second = await publisher.run(2_000, 300)
    await publisher.close()
    expect(first).toMatchObject({ sent: 600, errors: 0, lastSeq: 600 })
    expect(second).toMatchObject({ sent: 600, errors: 0, lastSeq: 1_200 })
    expect(received.map((r) => r.seq)).toEqual(Array.from({ length: 1_200 }, (_, i) => i + 1))
    expect(new Set(received.map((r) => r.socket))).toEqual(new Set([0]))
  })

  it('counts refusals as errors with the first status, and reconnects after the server closed the connection', async () => {
    let refuse = true
    const { server, port, received } = await recordingServer(() => (refuse ? { status: 429, body: '{}' } : { status: 204 }))
    servers.push(server)
    const publisher = new Publisher(port, SYSTEM_SPECS['longpoll-plain'])
    const refused = await publisher.run(500, 100)
    expect(refused).toMatchObject({ sent: 50, errors: 50, firstError: 'HTTP 429' })
    // the server drops its idle keep-alive connections: the next run opens a new one
    server.closeIdleConnections()
    await new Promise((resolve) => setTimeout(resolve, 50))
    refuse = false
    const accepted = await publisher.run(500, 100)
    await publisher.close()
    expect(accepted).toMatchObject({ sent: 50, errors: 0 })
    expect(received.slice(50).every((r) => r.socket === 1)).toBe(true)
  })

  it('one at a time (http1): a connection cut under a POST counts one error, and the next tick goes on on a new one', async () => {
    let requests = 0
    const server = createServer((req, res) => {
      requests++
      req.resume()
      req.on('end', () => {
        if (requests === 3) req.socket.destroy()
        else res.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    servers.push(server)
    const publisher = new Publisher((server.address() as AddressInfo).port, SYSTEM_SPECS['longpoll-plain'], 1)
    const run = await publisher.run(200, 200)
    await publisher.close()
    expect(run).toMatchObject({ sent: 40, errors: 1, firstError: 'connection closed' })
    expect(requests).toBe(40)
  })

  it('one at a time (http1): each POST waits for the previous answer', async () => {
    let open = 0
    let most = 0
    const server = createServer((req, res) => {
      open++
      most = Math.max(most, open)
      req.resume()
      req.on('end', () =>
        setTimeout(() => {
          open--
          res.writeHead(204).end()
        }, 1),
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    servers.push(server)
    const publisher = new Publisher((server.address() as AddressInfo).port, SYSTEM_SPECS['longpoll-plain'], 1)
    const run = await publisher.run(200, 200)
    await publisher.close()
    expect(run).toMatchObject({ sent: 40, errors: 0 })
    expect(most).toBe(1)
  })
})
