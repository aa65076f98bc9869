import { createServer, type ServerResponse } from 'node:http'
import { readBody, serve } from './harness.js'

// Peer `sse-plain`: a plain Node SSE server; one frame built per message, written to every response.
const streams = new Set<ServerResponse>()

function publish(body: Buffer): void {
  const frame = Buffer.concat([Buffer.from('data: '), body, Buffer.from('\n\n')])
  for (const stream of streams) stream.write(frame)
}

const server = createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    publish(await readBody(req))
    res.writeHead(204).end()
    return
  }
  if (req.method === 'GET' && req.url === '/sse') {
    req.socket.setNoDelay(true)
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform' })
    res.write(': ok\n\n')
    streams.add(res)
    res.on('close', () => streams.delete(res))
    return
  }
  res.writeHead(404).end()
})
await serve(server, (text) => publish(Buffer.from(text)))
