import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type LocalPublish, type LocalPublishCommand, runLocalPublisher } from './local-publisher.js'

/**
 * What every benchmark server script shares: listen on 127.0.0.1 port 0 and print `{"port":N}` on stdout; answer
 * the driver's control messages over the IPC channel (`mem`: collect garbage, then report RSS; `exit`: exit
 * cleanly so that `--cpu-prof` writes its profile; `publish`: run the in-process publisher with `publish`); exit
 * when the driver goes away.
 */
export async function serve(server: Server, publish: LocalPublish): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve)
  })
  const { port } = server.address() as AddressInfo
  installControl(publish)
  process.stdout.write(`${JSON.stringify({ port })}\n`)
  return port
}

type ControlMessage = { readonly type: 'mem' | 'exit' | 'counters' } | LocalPublishCommand

/** Server-side counters a step reports (pushline: slow-consumer drops); peers have none. */
export type Counters = () => Record<string, number>

export function installControl(publish: LocalPublish, counters: Counters = () => ({})): void {
  process.on('message', (message: ControlMessage) => {
    if (message.type === 'exit') process.exit(0)
    if (message.type === 'mem') void reportMemory()
    if (message.type === 'counters') process.send?.({ type: 'counters', counters: counters() })
    if (message.type === 'publish') void runLocalPublisher(publish, message).then((run) => process.send?.(run))
  })
  process.on('disconnect', () => process.exit(0))
  process.on('SIGTERM', () => process.exit(0))
  process.on('SIGINT', () => process.exit(0))
}

async function reportMemory(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc
  // Two full collections a moment apart: the second frees what the first only finalized.
  for (let i = 0; i < 3; i++) {
    gc?.()
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const usage = process.memoryUsage()
  process.send?.({ type: 'mem', rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external })
}

/** The whole request body (publishes are ~100 bytes). */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
