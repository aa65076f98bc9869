import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { FastifyRequest } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import type { PushlineOptions } from '../src/index.js'
import { startApp, type TestApp } from './helpers/app.js'
import { openWs } from './helpers/ws-client.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

// An idle WebSocket costs what it holds: fastify's upgrade request (and its reply and raw messages) only when an
// authorize hook needs it again.
describe('websocket connection memory', () => {
  let t: TestApp | undefined
  afterEach(async () => {
    await t?.close()
    t = undefined
  })

  async function connect(options: (remember: (request: FastifyRequest) => void) => PushlineOptions) {
    let upgrade: WeakRef<FastifyRequest> | undefined
    t = await startApp(options((request) => (upgrade ??= new WeakRef(request))))
    const client = await openWs(t)
    client.send({ type: 'subscribe', channels: ['a'] })
    await client.waitFrame((f) => f.type === 'subscribed')
    await collect()
    // Still a working subscription after the collection.
    await t.app.pushline.publish('a', 'after gc')
    expect(await client.waitFrame((f) => f.type === 'event')).toMatchObject({ data: 'after gc' })
    return upgrade
  }

  it('lets go of the upgrade request when there is no authorize hook', async () => {
    const upgrade = await connect((remember) => ({
      limits: {
        clientKey: (request) => {
          remember(request)
          return request.ip
        },
      },
    }))
    expect(upgrade).toBeDefined()
    expect(upgrade?.deref()).toBeUndefined()
  })

  it('keeps it for an authorize hook, which is asked on every subscribe and publish', async () => {
    const upgrade = await connect((remember) => ({
      authorize: (_identity, { request }) => {
        remember(request)
        return true
      },
    }))
    expect(upgrade?.deref()).toBeDefined()
  })
})
