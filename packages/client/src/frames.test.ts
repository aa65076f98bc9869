import { describe, expect, it } from 'vitest'
import { asBatch, cursorOf, parseFrame } from './frames.js'

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
})
