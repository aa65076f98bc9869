import { describe, expect, it } from 'vitest'
import { cachedEncoder, createEvent } from './event-json.js'
import type { LogEvent } from '../event.js'
import { longpollBatch, longpollCompactBatch, longpollRunsBatch } from './longpoll.js'
import { NDJSON_HEARTBEAT, ndjsonEvent, ndjsonFrame } from './ndjson.js'
import { SSE_HEARTBEAT, sseEvent, sseFrame, sseRetry } from './sse.js'
import { wsEvent, wsFrame } from './websocket.js'

const event = createEvent('chat', 'abc-7', { text: 'hi "you"' }, JSON.stringify({ text: 'hi "you"' }))

describe('wire frames of protocol 1', () => {
  it('NDJSON: one typed JSON object per line', () => {
    expect(ndjsonEvent(event).toString()).toBe('{"type":"event","channel":"chat","cursor":"abc-7","data":{"text":"hi \\"you\\""}}\n')
    expect(ndjsonFrame({ type: 'hello', protocol: 1, cursor: 'abc-6', heartbeatMs: 15000 }).toString()).toBe(
      '{"type":"hello","protocol":1,"cursor":"abc-6","heartbeatMs":15000}\n',
    )
    expect(NDJSON_HEARTBEAT.toString()).toBe('{"type":"heartbeat"}\n')
  })

  it('SSE: id + data for events, named control events always carry data', () => {
    expect(sseEvent(event).toString()).toBe('id: abc-7\ndata: {"channel":"chat","cursor":"abc-7","data":{"text":"hi \\"you\\""}}\n\n')
    expect(sseFrame({ type: 'reset', reason: 'expired', cursor: 'abc-3' }, 'abc-3').toString()).toBe(
      'event: reset\nid: abc-3\ndata: {"type":"reset","reason":"expired","cursor":"abc-3"}\n\n',
    )
    expect(SSE_HEARTBEAT.toString()).toBe('event: heartbeat\ndata: {"type":"heartbeat"}\n\n')
    expect(sseRetry(1500.7).toString()).toBe('retry: 1500\n\n')
  })

  it('WebSocket: a JSON text payload per frame', () => {
    expect(JSON.parse(wsEvent(event).toString())).toEqual({ type: 'event', channel: 'chat', cursor: 'abc-7', data: { text: 'hi "you"' } })
    expect(wsFrame({ type: 'ack', id: 'r1', cursor: 'abc-7' }).toString()).toBe('{"type":"ack","id":"r1","cursor":"abc-7"}')
  })

  it('long-poll: a batch with the cursor of its last event', () => {
    const second = createEvent('news', 'abc-8', 1, '1')
    expect(JSON.parse(longpollBatch([event, second], 'abc-8'))).toEqual({
      events: [
        { channel: 'chat', cursor: 'abc-7', data: { text: 'hi "you"' } },
        { channel: 'news', cursor: 'abc-8', data: 1 },
      ],
      cursor: 'abc-8',
    })
    expect(longpollBatch([], 'abc-8')).toBe('{"events":[],"cursor":"abc-8"}')
  })

  it('long-poll, compact: the epoch and the channels once, each event [seq, channel index, data]', () => {
    const second = createEvent('news', 'abc-8', 1, '1')
    // made without the log's cached JSON (JSON.stringify's layout): the data is found the same way
    const plain = { channel: 'chat', cursor: 'abc-9', data: [null, 'x'] }
    const body = longpollCompactBatch([event, second, plain], ['news', 'chat'], 'abc-9')
    expect(body).toBe('{"epoch":"abc","channels":["news","chat"],"events":[[7,1,{"text":"hi \\"you\\""}],[8,0,1],[9,1,[null,"x"]]],"cursor":"abc-9"}')
    expect(body && body.length / longpollBatch([event, second, plain], 'abc-9').length).toBeLessThan(0.75)
    expect(longpollCompactBatch([], ['chat'], 'abc-8')).toBe('{"epoch":"abc","channels":["chat"],"events":[],"cursor":"abc-8"}')
  })

  it('long-poll, compact: an event spelled once per channel index answers the same in every batch', () => {
    const first = createEvent('news', 'abc-8', { n: 1 }, '{"n":1}')
    const other = createEvent('chat', 'abc-9', 2, '2')
    const once = longpollCompactBatch([first, other], ['news', 'chat'], 'abc-9')
    expect(longpollCompactBatch([first, other], ['news', 'chat'], 'abc-9')).toBe(once)
    // the same events in a group that orders its channels the other way: each item with its own index
    expect(longpollCompactBatch([first, other], ['chat', 'news'], 'abc-9')).toBe(
      '{"epoch":"abc","channels":["chat","news"],"events":[[8,1,{"n":1}],[9,0,2]],"cursor":"abc-9"}',
    )
    expect(once).toBe('{"epoch":"abc","channels":["news","chat"],"events":[[8,0,{"n":1}],[9,1,2]],"cursor":"abc-9"}')
    // a batch of another epoch cannot use what was kept for this one
    expect(longpollCompactBatch([first], ['news'], 'abd-8')).toBeUndefined()
    expect(JSON.stringify(first)).toBe('{"channel":"news","cursor":"abc-8","data":{"n":1}}')
    expect(Object.keys(first)).toEqual(['channel', 'cursor', 'data'])
  })

  it('long-poll, runs: consecutive events of one channel in one run, every data in one array', () => {
    const at = (channel: string, seq: number, data: unknown): LogEvent => createEvent(channel, `abc-${seq}`, data, JSON.stringify(data))
    const events = [at('news', 7, { t: 'a' }), at('news', 8, 2), at('chat', 9, [null]), at('chat', 11, 'x'), at('news', 12, 3)]
    const body = longpollRunsBatch(events, ['news', 'chat'], 'abc-12')
    expect(body).toBe(
      '{"epoch":"abc","channels":["news","chat"],"runs":[[7,2,0],[9,1,1],[11,1,1],[12,1,0]],"data":[{"t":"a"},2,[null],"x",3],"cursor":"abc-12"}',
    )
    // the same once kept on the events, and with the channels the other way round
    expect(longpollRunsBatch(events, ['news', 'chat'], 'abc-12')).toBe(body)
    expect(longpollRunsBatch(events.slice(0, 2), ['chat', 'news'], 'abc-8')).toBe(
      '{"epoch":"abc","channels":["chat","news"],"runs":[[7,2,1]],"data":[{"t":"a"},2],"cursor":"abc-8"}',
    )
    expect(longpollRunsBatch([], ['chat'], 'abc-8')).toBe('{"epoch":"abc","channels":["chat"],"runs":[],"data":[],"cursor":"abc-8"}')
    // a busy channel: one byte (a comma) per event besides its data, and the head and tail once (~80 bytes here;
    // one more byte per event would make it 180)
    const busy = Array.from({ length: 100 }, (_, i) => at('chat', 100 + i, { n: 'x'.repeat(90) }))
    const bytes = longpollRunsBatch(busy, ['chat'], 'abc-199')?.length ?? 0
    const data = busy.reduce((sum, e) => sum + JSON.stringify(e.data).length + 1, 0)
    expect(bytes - data).toBeLessThan(100)
  })

  it('long-poll, runs: undefined (the full body answers) for what it cannot spell', () => {
    expect(longpollRunsBatch([event], ['news'], 'abc-7')).toBeUndefined()
    expect(longpollRunsBatch([createEvent('chat', 'xyz-7', 1, '1')], ['chat'], 'abc-7')).toBeUndefined()
    expect(longpollRunsBatch([createEvent('chat', 'abc-07', 1, '1')], ['chat'], 'abc-7')).toBeUndefined()
    expect(longpollRunsBatch([createEvent('chat', 'abc-99999999999999999', 1, '1')], ['chat'], 'abc-7')).toBeUndefined()
    expect(longpollRunsBatch([event], ['chat'], 'opaque')).toBeUndefined()
  })

  it('long-poll, compact: undefined (the full body answers) for what it cannot spell', () => {
    expect(longpollCompactBatch([event], ['news'], 'abc-7')).toBeUndefined()
    expect(longpollCompactBatch([createEvent('chat', 'xyz-7', 1, '1')], ['chat'], 'abc-7')).toBeUndefined()
    expect(longpollCompactBatch([createEvent('chat', 'abc-07', 1, '1')], ['chat'], 'abc-7')).toBeUndefined()
    expect(longpollCompactBatch([event], ['chat'], 'opaque')).toBeUndefined()
  })

  it('encodes each event once per format and hands every subscriber the same bytes', () => {
    expect(ndjsonEvent(event)).toBe(ndjsonEvent(event))
    expect(sseEvent(event)).toBe(sseEvent(event))
    expect(wsEvent(event)).toBe(wsEvent(event))
  })

  it('serializes events built without a known JSON the same way', () => {
    const plain = { channel: 'a', cursor: 'e-1', data: [1, null] }
    expect(ndjsonEvent(plain).toString()).toBe('{"type":"event","channel":"a","cursor":"e-1","data":[1,null]}\n')
  })

  it('keeps one encoding per event per encoder, out of sight of spreads and JSON, frozen events included', () => {
    const calls: string[] = []
    const upper = cachedEncoder((e) => {
      calls.push(`upper ${e.cursor}`)
      return e.channel.toUpperCase()
    })
    const lower = cachedEncoder((e) => {
      calls.push(`lower ${e.cursor}`)
      return e.channel.toLowerCase()
    })
    const made = createEvent('Chat', 'abc-9', 1, '1')
    const frozen = Object.freeze({ channel: 'Room', cursor: 'abc-10', data: 2 })
    for (let round = 0; round < 3; round++) {
      expect([upper(made), lower(made), upper(frozen), lower(frozen)]).toEqual(['CHAT', 'chat', 'ROOM', 'room'])
    }
    expect(calls).toEqual(['upper abc-9', 'lower abc-9', 'upper abc-10', 'lower abc-10'])
    // The log's own JSON slot is the only symbol a spread copies: the encodings stay on the event.
    expect(Object.getOwnPropertySymbols({ ...made }).map(String)).toEqual(['Symbol(pushline.eventJson)'])
    expect(JSON.stringify(made)).toBe('{"channel":"Chat","cursor":"abc-9","data":1}')
  })
})
