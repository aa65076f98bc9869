import { describe, expect, it } from 'vitest'
import { PLAIN_OF } from './report.js'
import { singleGroups } from './single.js'

describe('singleGroups', () => {
  it('runs each pushline transport beside its plain peer and every other system alone', () => {
    expect(
      singleGroups(
        ['pushline-websocket', 'pushline-sse', 'pushline-ndjson', 'pushline-longpoll', 'socketio-websocket', 'ws-plain', 'ws-coalesced', 'sse-plain', 'longpoll-plain'],
        PLAIN_OF,
      ),
    ).toEqual([
      ['pushline-websocket', 'ws-plain'],
      ['pushline-sse', 'pushline-ndjson', 'sse-plain'],
      ['pushline-longpoll', 'longpoll-plain'],
      ['socketio-websocket'],
      ['ws-coalesced'],
    ])
  })

  it('keeps a system alone when its partner is not asked for', () => {
    expect(singleGroups(['ws-plain', 'pushline-sse'], PLAIN_OF)).toEqual([['ws-plain'], ['pushline-sse']])
  })
})
