import { createServer } from 'node:http'
import type { Socket } from 'node:net'
import { WebSocketServer } from 'ws'
import { readBody, serve } from './harness.js'
import { textFrame } from './ws-frame.js'

// Peer `ws-coalesced`: `ws` the way its heaviest users broadcast. The frame is built ONCE per message and written
// to every client's TCP socket as it is (no `ws.send()`, which frames the data again for each socket), and every
// socket is corked for the rest of the tick, so all the frames of a tick leave in one writev per client.
const sockets = new Set<Socket>()
let corked: Socket[] | null = null

function uncorkAll(): void {
  const list = corked ?? []
  corked = null
  for (const socket of list) socket.uncork()
}

function publish(body: Buffer): void {
  if (corked === null) {
    corked = [...sockets]
    for (const socket of corked) socket.cork()
    setImmediate(uncorkAll)
  }
  const frame = textFrame(body)
  for (const socket of sockets) if (socket.writable) socket.write(frame)
}

const server = createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    publish(await readBody(req))
    res.writeHead(204).end()
    return
  }
  res.writeHead(404).end()
})
const wss = new WebSocketServer({ server })
wss.on('connection', (_client, req) => {
  const socket = req.socket
  socket.setNoDelay(true)
  sockets.add(socket)
  socket.once('close', () => sockets.delete(socket))
})
await serve(server, (text) => publish(Buffer.from(text)))
