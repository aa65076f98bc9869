// Compiled on its own by typed-publish.test.ts: the Register augmentation below must not leak into other tests.
import { defineChannels } from '@pushline/core'
import Fastify from 'fastify'
import { z } from 'zod'
import { pushline } from '../../src/index.js'

export const channels = defineChannels({ chat: z.object({ text: z.string() }), 'room/*': z.object({ n: z.number() }) })

declare module '../../src/index.js' {
  interface Register {
    channels: typeof channels
  }
}

export async function sample(): Promise<void> {
  const app = Fastify()
  await app.register(pushline, { channels })
  await app.pushline.publish('chat', { text: 'hi' })
  await app.pushline.publish('room/42', { n: 1 })
  // @ts-expect-error: not declared
  await app.pushline.publish('chta', { text: 'hi' })
  // @ts-expect-error: room data is { n: number }
  await app.pushline.publish('room/1', { text: 'hi' })
}
