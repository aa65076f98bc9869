import { createClient } from '@pushline/client'
import type { TransportName } from '@pushline/core/wire'
import type { AppServer } from './app-server.js'

/**
 * The real client, held to one transport, subscribes through the proxy at `base` from the log's head, and the
 * server publishes: resolves with the transport the client ended on once the event has arrived. Starting from the
 * head (not "from now") means the publish cannot race the subscription.
 */
export async function deliverThrough(base: string, server: AppServer, transport: TransportName): Promise<TransportName | null> {
  const cursor = await server.app.pushline.log.head()
  const client = createClient({ url: base, transports: [transport] }) // in Node 20 the client finds `ws` itself
  try {
    const text = `through ${transport} ${Date.now()}`
    const received = new Promise<unknown>((resolve, reject) => {
      client.subscribe(['chat'], { cursor, onEvent: (event) => resolve(event.data), onError: reject })
    })
    await server.app.pushline.publish('chat', { text })
    const data = await received
    if (JSON.stringify(data) !== JSON.stringify({ text })) throw new Error(`unexpected event ${JSON.stringify(data)}`)
    return client.transport
  } finally {
    client.close()
  }
}
