import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
const versionOf = (name: string): string => (require(`${name}/package.json`) as { version: string }).version

// ws-frame.ts writes pre-framed bytes beside `ws` and undoes @fastify/websocket's socket assignment. Both were
// checked against these majors/minors; on an upgrade, re-check websocket.int.test.ts and
// websocket-memory.int.test.ts, then move the pins.
describe('the WebSocket fast path is pinned to the versions it was checked with', () => {
  it.each([
    ['ws', /^8\.(1[89]|2\d)\./],
    ['@fastify/websocket', /^11\.3\./],
  ])('%s', (name, pinned) => {
    expect(versionOf(name), `${name} changed: re-check ws-frame.ts and move the pin`).toMatch(pinned)
  })
})
