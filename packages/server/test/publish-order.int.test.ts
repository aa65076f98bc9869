import type { IncomingMessage, ServerResponse } from 'node:http'
import { type EventLog, MemoryLog } from '@pushline/core'
import { describe, expect, it } from 'vitest'
import { startApp, until } from './helpers/app.js'

/** A MemoryLog whose reads take a loop turn, like a networked log's: timing alone no longer orders the answers. */
function slowReads(log: MemoryLog): EventLog {
  return {
    append: (channel, data) => log.append(channel, data),
    head: () => log.head(),
    read: async (channels, after, options) => {
      await new Promise((resolve) => setImmediate(resolve))
      return log.read(channels, after, options)
    },
    wait: (channels, after, signal) => log.wait(channels, after, signal),
    listen: (channels, listener) => log.listen(channels, listener),
    close: () => log.close(),
  }
}

describe('publish and the long-polls it wakes', () => {
  it('answers the woken polls before the publish, by construction (even when reads take a loop turn)', async () => {
    const memory = new MemoryLog()
    await using t = await startApp({ log: slowReads(memory) })
    try {
      const finished: string[] = []
      t.app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
        response.once('finish', () => finished.push(`${request.method} ${request.url?.split('?')[0]}`))
      })
      const cursor = await memory.head()
      const polls = [t.fetch(`/poll?channel=chat&cursor=${cursor}`), t.fetch(`/poll?channel=chat&channel=other&cursor=${cursor}`)]
      await until(() => t.app.pushline.metrics().transports.longpoll.connections === 2, 'both polls to be held')
      const published = await t.fetch('/publish', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'chat', data: 1 }),
      })
      expect(published.status).toBe(201)
      for (const poll of polls) expect(((await (await poll).json()) as { events: unknown[] }).events).toHaveLength(1)
      expect(finished).toEqual(['GET /rt/poll', 'GET /rt/poll', 'POST /rt/publish'])
    } finally {
      await t.close()
      await memory.close()
    }
  })
})
