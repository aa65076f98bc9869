import { describe, expect, it } from 'vitest'
import { negotiate } from './negotiate.js'

/** `/negotiate` answering `body` (the parsing of its answer, not the network: the integration tests run a server). */
const answering = (body: unknown): typeof fetch => async () => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })

const base = { protocol: 1, transports: ['longpoll'], endpoints: { longpoll: '/rt/poll', publish: '/rt/publish' }, holdMs: 25_000, heartbeatMs: 15_000 }

describe('negotiate: the long-poll format polls ask for', () => {
  it.each([
    [['compact', 'runs'], 'runs'],
    [['runs'], 'runs'],
    [['compact'], undefined],
    [['columns', 'runs'], 'runs'],
    [[], undefined],
    ['runs', undefined],
    [undefined, undefined],
  ])('listed %j: %s', async (listed, expected) => {
    const info = await negotiate('http://localhost:1/rt', answering({ ...base, longpollFormats: listed }), {}, ['longpoll'])
    expect(info.transports).toEqual(['longpoll'])
    expect(info.pollFormat).toBe(expected)
  })
})
