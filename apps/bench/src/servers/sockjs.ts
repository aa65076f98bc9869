import { createServer } from 'node:http'
import sockjs from 'sockjs'
import { readBody, serve } from './harness.js'

// Peer `sockjs-xhr-streaming`: a sockjs 0.3 server (all its transports on; the load client picks xhr-streaming);
// broadcast is `conn.write` per connection, as sockjs documents it.
const connections = new Set<sockjs.Connection>()
const echo = sockjs.createServer({ log: () => {} })
echo.on('connection', (conn) => {
  if (!conn) return
  connections.add(conn)
  conn.on('close', () => connections.delete(conn))
})

function publish(message: string): void {
  for (const conn of connections) conn.write(message)
}

const server = createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    publish((await readBody(req)).toString())
    res.writeHead(204).end()
    return
  }
  if (!req.url?.startsWith('/sockjs/')) res.writeHead(404).end()
})
echo.installHandlers(server, { prefix: '/sockjs' })
await serve(server, publish)
