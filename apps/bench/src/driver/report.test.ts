import { describe, expect, it } from 'vitest'
import { SYSTEMS } from '../systems.js'
import { fanoutGroups } from './report.js'

describe('fanoutGroups', () => {
  it('puts each fan-out ratio with its peer, in the given order, and every other system alone', () => {
    expect(fanoutGroups(SYSTEMS)).toEqual([
      ['pushline-websocket', 'pushline-sse', 'pushline-ndjson', 'ws-coalesced'],
      ['pushline-longpoll', 'longpoll-plain'],
      ['socketio-websocket'],
      ['socketio-polling'],
      ['sockjs-xhr-streaming'],
      ['ws-plain'],
      ['sse-plain'],
      ['nchan-websocket'],
      ['nchan-sse'],
      ['nchan-longpoll'],
    ])
    expect(fanoutGroups(['longpoll-plain', 'ws-plain', 'pushline-longpoll'])).toEqual([['longpoll-plain', 'pushline-longpoll'], ['ws-plain']])
  })
})
