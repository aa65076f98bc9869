import { createServer } from 'node:http'
import { Server } from 'socket.io'
import { readBody, serve } from './harness.js'

// Peers `socketio-websocket` and `socketio-polling`: socket.io 4 with one transport allowed, `io.emit` broadcast.
const transport = process.argv[2] === 'polling' ? 'polling' : 'websocket'

const server = createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    io.emit('m', JSON.parse((await readBody(req)).toString()))
    res.writeHead(204).end()
    return
  }
  // socket.io answers its own path; everything else ends here.
  if (!req.url?.startsWith('/socket.io/')) res.writeHead(404).end()
})
const io = new Server(server, { transports: [transport], serveClient: false })
await serve(server, (text) => {
  io.emit('m', JSON.parse(text))
})
