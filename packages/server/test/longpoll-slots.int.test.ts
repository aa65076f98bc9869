import { afterEach, describe, expect, it } from 'vitest'
import type { PushlineOptions } from '../src/index.js'
import { startApp, type TestApp } from './helpers/app.js'

// Every way a long-poll ends gives its connection slot back exactly once (issue 15's synchronous poll path): with one
// slot per client, each poll below would be refused 429 if an earlier one had kept its slot, and none is.
let current: TestApp | undefined
afterEach(async () => {
  await current?.close()
  current = undefined
})

async function pollOnce(t: TestApp, query: string): Promise<{ status: number; cursor: string | null; code?: string }> {
  const response = await t.fetch(`/poll?${query}`)
  const text = await response.text()
  const code = response.status >= 400 ? (JSON.parse(text) as { error: { code: string } }).error.code : undefined
  return { status: response.status, cursor: response.headers.get('pushline-cursor'), ...(code ? { code } : {}) }
}

async function everyEnding(t: TestApp, headers = ''): Promise<number[]> {
  const statuses: number[] = []
  const head = await pollOnce(t, `channel=a${headers}`)
  statuses.push(head.status)
  await t.app.pushline.publish('a', { n: 1 })
  // Events waiting: the first read of this position, then polls that take the answer already serialized.
  for (let i = 0; i < 3; i++) statuses.push((await pollOnce(t, `channel=a&cursor=${head.cursor}${headers}`)).status)
  const after = await pollOnce(t, `channel=a&cursor=${head.cursor}${headers}`)
  // Nothing after the head: held, then 204 when its hold ends.
  const held = await pollOnce(t, `channel=a&cursor=${after.cursor}&holdMs=20${headers}`)
  statuses.push(held.status)
  // Held, then answered by a publish.
  const waiting = pollOnce(t, `channel=a&cursor=${after.cursor}${headers}`)
  await new Promise((resolve) => setTimeout(resolve, 50))
  await t.app.pushline.publish('a', { n: 2 })
  statuses.push((await waiting).status)
  // Refused by its query: a coded 400.
  statuses.push((await pollOnce(t, `channel=a&cursor=nope${headers}`)).status)
  return statuses
}

describe('long-poll connection slots', () => {
  it('are given back by every answer, hold end and refusal without hooks', async () => {
    current = await startApp({ limits: { maxConnectionsPerClient: 1 } })
    expect(await everyEnding(current)).toEqual([200, 200, 200, 200, 204, 200, 400])
    // One more round: nothing was kept by the first.
    expect(await everyEnding(current)).toEqual([200, 200, 200, 200, 204, 200, 400])
    expect(current.app.pushline.metrics().transports.longpoll.connections).toBe(0)
  })

  it('are given back on the asynchronous path (authenticate and authorize hooks), refusals included', async () => {
    const options: PushlineOptions = {
      limits: { maxConnectionsPerClient: 1 },
      credentials: { queryParam: 'token' },
      authenticate: async (_request, { token }) => (token === 'ok' || token === 'other' ? { user: token } : null),
      authorize: async (identity, { channels }) => identity?.user === 'ok' || !channels.includes('a'),
    }
    current = await startApp(options)
    expect(await everyEnding(current, '&token=ok')).toEqual([200, 200, 200, 200, 204, 200, 400])
    expect(await pollOnce(current, 'channel=a&token=bad')).toMatchObject({ status: 401, code: 'RT_ERR_AUTH_UNAUTHENTICATED' })
    expect(await pollOnce(current, 'channel=a&token=other')).toMatchObject({ status: 403, code: 'RT_ERR_AUTH_FORBIDDEN' })
    expect(await everyEnding(current, '&token=ok')).toEqual([200, 200, 200, 200, 204, 200, 400])
    expect(current.app.pushline.metrics().transports.longpoll.connections).toBe(0)
  })

  it('refuse a second held poll of the same client while the first holds its slot', async () => {
    current = await startApp({ limits: { maxConnectionsPerClient: 1 } })
    const head = await pollOnce(current, 'channel=a')
    const held = pollOnce(current, `channel=a&cursor=${head.cursor}&holdMs=300`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await pollOnce(current, `channel=a&cursor=${head.cursor}`)).toMatchObject({ status: 429, code: 'RT_ERR_LIMIT_CLIENT_CONNECTIONS' })
    expect((await held).status).toBe(204)
    expect((await pollOnce(current, `channel=a&cursor=${head.cursor}&holdMs=10`)).status).toBe(204)
  })
})
