import { describe, expect, it } from 'vitest'
import { type AttemptInput, type AttemptState, initialState, step, type Verdict } from './machine.js'

const ctx = { heartbeatMs: 10_000, quietCuts: 0 }

function run(state: AttemptState, inputs: AttemptInput[], context = ctx): [AttemptState, Verdict[]] {
  const verdicts: Verdict[] = []
  for (const input of inputs) {
    const [next, verdict] = step(state, input, context)
    state = next
    verdicts.push(verdict)
  }
  return [state, verdicts]
}

describe('attempt state machine', () => {
  it('is immutable: a step returns a new state and leaves the old one as it was', () => {
    const start = initialState('sse')
    const [next] = step(start, { type: 'open' }, ctx)
    expect(start).toEqual({ kind: 'probing', transport: 'sse', opened: false })
    expect(next).toEqual({ kind: 'probing', transport: 'sse', opened: true })
  })

  it('trusts a stream on its hello and calls it proven on the next frame', () => {
    const [state, verdicts] = run(initialState('ndjson'), [{ type: 'open' }, { type: 'hello' }, { type: 'frame' }, { type: 'frame' }])
    expect(verdicts.map((v) => v.kind)).toEqual(['none', 'trusted', 'proven', 'none'])
    expect(state).toMatchObject({ kind: 'live', frames: 2 })
  })

  it('calls a WebSocket proven at once when its hello answered our subscribe (a round trip)', () => {
    const [, verdicts] = run(initialState('websocket'), [{ type: 'open' }, { type: 'hello', roundTrip: true }])
    expect(verdicts.map((v) => v.kind)).toEqual(['none', 'proven'])
  })

  it.each([
    ['websocket', false, 'ws-upgrade-refused'],
    ['websocket', true, 'ws-silent'],
    ['sse', true, 'stream-buffered'],
    ['ndjson', true, 'stream-buffered'],
    ['sse', false, 'stream-buffered'],
    ['ndjson', false, 'stream-buffered'],
    ['longpoll', false, 'probe-timeout'],
  ] as const)('names a %s probe timeout (opened: %s) %s', (transport, opened, reason) => {
    const inputs: AttemptInput[] = opened ? [{ type: 'open' }, { type: 'probe-timeout' }] : [{ type: 'probe-timeout' }]
    const [state, verdicts] = run(initialState(transport), inputs)
    expect(verdicts.at(-1)).toEqual({ kind: 'fail', reason })
    expect(state.kind).toBe('ended')
  })

  it('names a WebSocket refused before open, or closed after open without hello', () => {
    expect(run(initialState('websocket'), [{ type: 'end', quietMs: 0 }])[1].at(-1)).toEqual({ kind: 'fail', reason: 'ws-upgrade-refused' })
    expect(run(initialState('websocket'), [{ type: 'open' }, { type: 'end', quietMs: 0 }])[1].at(-1)).toEqual({
      kind: 'fail',
      reason: 'ws-silent',
    })
    expect(run(initialState('sse'), [{ type: 'end', status: 404, quietMs: 0 }])[1].at(-1)).toEqual({ kind: 'fail', reason: 'http-error' })
  })

  it('calls a stream whose hello came but nothing written after it stream-delayed, once the probe window ends', () => {
    const [, delayed] = run(initialState('sse'), [{ type: 'open' }, { type: 'hello' }, { type: 'probe-timeout' }])
    expect(delayed.at(-1)).toEqual({ kind: 'fail', reason: 'stream-delayed' })
    const [, proven] = run(initialState('ndjson'), [{ type: 'open' }, { type: 'hello' }, { type: 'frame' }, { type: 'probe-timeout' }])
    expect(proven.map((v) => v.kind)).toEqual(['none', 'trusted', 'proven', 'none'])
  })

  it('calls a live stream that went silent heartbeat-lost', () => {
    const [, verdicts] = run(initialState('sse'), [{ type: 'hello' }, { type: 'silence' }])
    expect(verdicts.at(-1)).toEqual({ kind: 'fail', reason: 'heartbeat-lost' })
  })

  it('retries a live stream cut while busy, or closed by the server on purpose', () => {
    expect(run(initialState('sse'), [{ type: 'hello' }, { type: 'end', quietMs: 5 }])[1].at(-1)).toEqual({ kind: 'retry', quietCut: false })
    expect(run(initialState('sse'), [{ type: 'hello' }, { type: 'end', byServer: true, quietMs: 9000 }])[1].at(-1)).toEqual({
      kind: 'retry',
      quietCut: false,
    })
  })

  it('calls the second idle cut in a row idle-cut, but never on long-poll (it shortens its hold instead)', () => {
    const quiet: AttemptInput = { type: 'end', quietMs: 3000 }
    expect(run(initialState('ndjson'), [{ type: 'hello' }, quiet])[1].at(-1)).toEqual({ kind: 'retry', quietCut: true })
    const again = { ...ctx, quietCuts: 1 }
    expect(run(initialState('ndjson'), [{ type: 'hello' }, quiet], again)[1].at(-1)).toEqual({ kind: 'fail', reason: 'idle-cut' })
    expect(run(initialState('longpoll'), [{ type: 'hello' }, quiet], again)[1].at(-1)).toEqual({ kind: 'retry', quietCut: true })
  })

  it('ignores everything once ended', () => {
    const [state, verdicts] = run(initialState('sse'), [{ type: 'probe-timeout' }, { type: 'hello' }, { type: 'frame' }])
    expect(state.kind).toBe('ended')
    expect(verdicts.slice(1).every((v) => v.kind === 'none')).toBe(true)
  })
})
