import { startApp as startTestApp, type TestApp, waitFor } from '@pushline/testing'
import type { FastifyInstance } from 'fastify'
import { type PushlineOptions, pushline } from '../../src/index.js'

export type { TestApp }

/** Fastify with the plugin at `/rt` on 127.0.0.1, port 0 (`await using t = await startApp()` closes it). */
export function startApp(options: PushlineOptions = {}): Promise<TestApp> {
  return startTestApp({ register: (app) => app.register(pushline, { prefix: '/rt', ...options }) })
}

export async function publishAll(app: FastifyInstance, channel: string, count: number, from = 0): Promise<string[]> {
  const cursors: string[] = []
  for (let i = from; i < from + count; i++) cursors.push((await app.pushline.publish(channel, { n: i })).cursor)
  return cursors
}

/** `waitFor` with the old helper's signature: resolves with the first truthy value of `check`. */
export function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  return waitFor(check, what, { timeoutMs })
}
