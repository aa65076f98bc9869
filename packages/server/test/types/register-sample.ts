// Compiled on its own by typed-publish.test.ts: the Register augmentation below must not leak into other tests.
import { defineChannels } from '@pushline/core'
import Fastify from 'fastify'
import { z } from 'zod'
import { pushline } from '../../src/index.js'

export const channels = defineChannels({ chat: z.object({ text: z.string() }), 'room/*': z.object({ n: z.number() }) })

interface MyIdentity {
  readonly user: string
  readonly role: 'admin' | 'member'
  readonly expiresAt: number
}

declare module '../../src/index.js' {
  interface Register {
    channels: typeof channels
    identity: MyIdentity
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

// authenticate, authorize and disconnect are typed by the identity declared in Register.
export async function identity(): Promise<void> {
  const app = Fastify()
  await app.register(pushline, {
    authenticate: (_request, { token, transport }) =>
      token === 'a' && transport !== 'publish' ? { user: 'a', role: 'admin', expiresAt: Date.now() + 1000 } : null,
    authorize: (who, { channels: names }) => who?.role === 'admin' || names.every((name) => name === `user/${who?.user}`),
  })
  await app.register(pushline, {
    // @ts-expect-error: role is 'admin' | 'member'
    authenticate: () => ({ user: 'a', role: 'root', expiresAt: 0 }),
  })
  app.pushline.disconnect((who) => who.role === 'member')
  app.pushline.disconnect({ user: 'a' })
  const role: 'admin' | 'member' | undefined = Fastify().get('/', async (request) => request.pushlineIdentity?.role) && undefined
  void role
}
