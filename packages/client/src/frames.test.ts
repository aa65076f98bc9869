import { describe, expect, it } from 'vitest'
import { asBatch, asCompactBatch, cursorOf, parseFrame } from './frames.js'

describe('frames from the network', () => {
  it.each([
    '{"type":"hello","cursor":"e-1","protocol":1,"heartbeatMs":10}',
    '{"type":"event","channel":"a","cursor":"e-2","data":null}',
    '{"type":"reset","reason":"epoch","cursor":"e-0"}',
    '{"type":"heartbeat"}',
    '{"type":"ack","id":"1","cursor":"e-3"}',
    '{"type":"error","id":"1","error":{"code":"RT_ERR_X","message":"m"}}',
    '{"type":"close","reason":"bye"}',
  ])('accepts %s', (text) => {
    expect(parseFrame(text)).toEqual(JSON.parse(text))
  })

  it.each([
    'not json',
    'null',
    '[1]',
    '{"type":"nope"}',
    '{"type":"event","channel":"a","cursor":"e-2"}',
    '{"type":"event","channel":"a","cursor":7,"data":1}',
    '{"type":"hello"}',
    '{"type":"reset","reason":"later","cursor":"e-1"}',
    '{"type":"error","error":"boom"}',
    `{"type":"hello","cursor":"${'x'.repeat(2000)}"}`,
  ])('refuses %s', (text) => {
    expect(parseFrame(text)).toBeUndefined()
  })

  it('types an SSE data line as an event only when it has the fields of one', () => {
    expect(parseFrame('{"channel":"a","cursor":"e-1","data":[1]}', 'event')).toEqual({ type: 'event', channel: 'a', cursor: 'e-1', data: [1] })
    expect(parseFrame('{"channel":"a","data":[1]}', 'event')).toBeUndefined()
  })

  it('checks long-poll batches event by event, and answers cursors', () => {
    expect(asBatch({ events: [{ channel: 'a', cursor: 'e-1', data: 1 }], cursor: 'e-1' })).toEqual({ events: [{ channel: 'a', cursor: 'e-1', data: 1 }], cursor: 'e-1' })
    expect(asBatch({ events: [{ channel: 'a', data: 1 }], cursor: 'e-1' })).toBeUndefined()
    expect(asBatch({ events: 'x', cursor: 'e-1' })).toBeUndefined()
    expect(cursorOf({ cursor: 'e-9' })).toBe('e-9')
    expect(cursorOf({ cursor: 9 })).toBeUndefined()
  })

  it('reads compact long-poll batches as protocol 1 events, and nothing malformed', () => {
    const body = { epoch: 'e0', channels: ['b', 'a'], events: [[7, 1, { x: 1 }], [9, 0, null]], cursor: 'e0-9' }
    expect(asCompactBatch(body)).toEqual({
      events: [
        { channel: 'a', cursor: 'e0-7', data: { x: 1 } },
        { channel: 'b', cursor: 'e0-9', data: null },
      ],
      cursor: 'e0-9',
    })
    expect(asCompactBatch({ ...body, events: [] })).toEqual({ events: [], cursor: 'e0-9' })
    // protocol 1's body is not a compact one (the long-poll transport reads it with asBatch)
    expect(asCompactBatch({ events: [], cursor: 'e0-9' })).toBeUndefined()
    for (const bad of [
      { ...body, epoch: 'E-0' },
      { ...body, epoch: 7 },
      { ...body, channels: 'a' },
      { ...body, channels: [1] },
      { ...body, events: [[7, 2, 1]] },
      { ...body, events: [[7, 0.5, 1]] },
      { ...body, events: [[-1, 0, 1]] },
      { ...body, events: [['7', 0, 1]] },
      { ...body, events: [[7, 0]] },
      { ...body, events: [{ seq: 7 }] },
      { ...body, events: 'x' },
      { ...body, cursor: 9 },
    ]) {
      expect(asCompactBatch(bad), JSON.stringify(bad)).toBeUndefined()
    }
  })
})
