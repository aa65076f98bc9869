import { afterEach, expect } from 'vitest'
import type { PushlineOptions } from '../../src/index.js'
import { startApp, type TestApp } from './app.js'
import { Refused, type TestSubscriber, type TransportClient } from './clients.js'

/**
 * What a per-transport scenario needs: apps started with `defaults` (plus its own options) and subscribers of
 * `client`, all closed after each test, and the refusal a promise ends with.
 */
export function scenario(client: TransportClient, defaults: PushlineOptions = {}) {
  const apps: TestApp[] = []
  const subscribers: TestSubscriber[] = []
  afterEach(async () => {
    await Promise.all(subscribers.splice(0).map((s) => s.close()))
    await Promise.all(apps.splice(0).map((a) => a.close()))
  })
  return {
    start: async (options: PushlineOptions = {}): Promise<TestApp> => {
      const app = await startApp({ ...defaults, ...options })
      apps.push(app)
      return app
    },
    subscribe: async (app: TestApp, channels: string[], cursor?: string, headers?: Record<string, string>) => {
      const subscriber = await client.subscribe(app, { channels, cursor, headers })
      subscribers.push(subscriber)
      return subscriber
    },
    refusalOf: async (promise: Promise<unknown>): Promise<Refused> => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(Refused)
      return error as Refused
    },
  }
}
