import { describe, expect, it } from 'vitest'
import { asBatch, asRunsBatch, cursorOf, parseFrame } from './frames.js'

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

  it('reads runs long-poll batches as protocol 1 events in order, and nothing malformed', () => {
    const body = { epoch: 'e0', channels: ['b', 'a'], runs: [[7, 2, 1], [10, 1, 0]], data: [{ x: 1 }, 2, null], cursor: 'e0-10' }
    expect(asRunsBatch(body)).toEqual({
      events: [
        { channel: 'a', cursor: 'e0-7', data: { x: 1 } },
        { channel: 'a', cursor: 'e0-8', data: 2 },
        { channel: 'b', cursor: 'e0-10', data: null },
      ],
      cursor: 'e0-10',
    })
    expect(asRunsBatch({ ...body, runs: [], data: [] })).toEqual({ events: [], cursor: 'e0-10' })
    // neither a compact body (this client does not ask for one) nor protocol 1's (read with asBatch) is a runs body
    expect(asRunsBatch({ epoch: 'e0', channels: ['a'], events: [[7, 0, 1]], cursor: 'e0-7' })).toBeUndefined()
    expect(asRunsBatch({ events: [], cursor: 'e0-9' })).toBeUndefined()
    for (const bad of [
      { ...body, epoch: 'E-0' },
      { ...body, channels: [1] },
      { ...body, runs: [[7, 4, 1]] },
      { ...body, runs: [[7, 2, 1], [10, 1, 2]] },
      { ...body, runs: [[7, 2, 1], [10, 0, 0], [10, 1, 0]] },
      { ...body, runs: [[7, 2.5, 1], [10, 0.5, 0]] },
      { ...body, runs: [[-7, 2, 1], [10, 1, 0]] },
      { ...body, runs: [[Number.MAX_SAFE_INTEGER, 2, 1], [10, 1, 0]] },
      { ...body, runs: [['7', 2, 1], [10, 1, 0]] },
      { ...body, runs: [[7, 2], [10, 1, 0]] },
      { ...body, runs: [[7, 1e9, 1]] },
      { ...body, data: [1, 2] },
      { ...body, data: 'x' },
      { ...body, runs: 'x' },
      { ...body, cursor: 9 },
    ]) {
      expect(asRunsBatch(bad), JSON.stringify(bad)).toBeUndefined()
    }
  })
})
