import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'
import { readBody, serve } from './harness.js'

// Peer `ws-plain`: the textbook `ws` broadcast, one `send` per client per message.
function publish(body: Buffer | string): void {
  for (const client of wss.clients) client.send(body, { binary: false })
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
await serve(server, publish)
