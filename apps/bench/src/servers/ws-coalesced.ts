import { createServer } from 'node:http'
import type { Socket } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'
import { readBody, serve } from './harness.js'

// Peer `ws-coalesced`: the same broadcast, but every client's TCP socket is corked for the rest of the tick, so
// all the frames of a tick leave in one writev per client instead of one write per frame.
const sockets = new Map<WebSocket, Socket>()
let corked: Socket[] | null = null

function uncorkAll(): void {
  const list = corked!
  corked = null
  for (const socket of list) socket.uncork()
}

const server = createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    const body = await readBody(req)
    if (corked === null) {
      corked = []
      for (const socket of sockets.values()) {
        socket.cork()
        corked.push(socket)
      }
      setImmediate(uncorkAll)
    }
    for (const client of wss.clients) client.send(body, { binary: false })
    res.writeHead(204).end()
    return
  }
  res.writeHead(404).end()
})
const wss = new WebSocketServer({ server })
wss.on('connection', (client, req) => {
  sockets.set(client, req.socket)
  client.on('close', () => sockets.delete(client))
})
await serve(server)
