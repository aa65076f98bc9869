import { MemoryLog } from '@pushline/core'
import { type Nginx, startNginx } from '@pushline/testing'
import { runProtocolConformance } from '@pushline/testing/conformance'
import { afterAll, beforeAll, describe } from 'vitest'
import { startApp, type TestApp } from './helpers/app.js'

// The exported wire-protocol suite against pushline's own server: in-memory, then behind a real nginx.
const options = { heartbeatMs: 500, holdMs: 2000 }

/** A cursor of another log's history: every server must answer it with a reset (reason `epoch`). */
async function foreignCursor(): Promise<string> {
  const other = new MemoryLog()
  const cursor = await other.head()
  await other.close()
  return cursor
}

async function shutdownTarget() {
  const app = await startApp(options)
  return { baseUrl: app.base, shutdown: () => app.close() }
}

describe('protocol 1 conformance: in-memory server', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startApp(options)
  })
  afterAll(() => app.close())
  runProtocolConformance({ baseUrl: () => app.base, unservableCursor: foreignCursor, shutdownTarget })
})

describe('protocol 1 conformance: behind nginx', () => {
  let app: TestApp
  let nginx: Nginx
  beforeAll(async () => {
    app = await startApp(options)
    nginx = await startNginx({ upstreams: [app.port] })
  })
  afterAll(async () => {
    await nginx.stop()
    await app.close()
  })
  runProtocolConformance({ baseUrl: () => `${nginx.origin}/rt`, unservableCursor: foreignCursor })
})
