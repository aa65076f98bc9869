import { describe, expect, it } from 'vitest'
import { SYSTEMS } from '../systems.js'
import { peerGroups } from './peer-groups.js'
import { FANOUT_PEER_OF, PLAIN_OF } from './report.js'

describe('peerGroups', () => {
  it('runs each pushline transport beside its plain peer and every other system alone', () => {
    expect(
      peerGroups(
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
    expect(peerGroups(['ws-plain', 'pushline-sse'], PLAIN_OF)).toEqual([['ws-plain'], ['pushline-sse']])
  })

  it('puts each fan-out ratio with its peer, in the given order, and every other system alone', () => {
    expect(peerGroups(SYSTEMS, FANOUT_PEER_OF)).toEqual([
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
    expect(peerGroups(['longpoll-plain', 'ws-plain', 'pushline-longpoll'], FANOUT_PEER_OF)).toEqual([['longpoll-plain', 'pushline-longpoll'], ['ws-plain']])
  })
})
