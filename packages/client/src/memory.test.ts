import { describe, expect, it } from 'vitest'
import { failureMemory, type StorageLike } from './memory.js'

function storage(): StorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>()
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) }
}

describe('FailureMemory', () => {
  it('remembers a failure per key until it expires', () => {
    const store = storage()
    const memory = failureMemory(store, 'pushline:http://a/rt', 1000)
    memory.remember('websocket', 'ws-silent', 10_000)
    expect(memory.read(10_500)).toEqual({ websocket: { reason: 'ws-silent', until: 11_000 } })
    expect(memory.read(11_000)).toEqual({})
    expect(failureMemory(store, 'pushline:http://b/rt', 1000).read(10_500)).toEqual({})
  })

  it('forgets a transport that proved itself, and survives corrupt or throwing storage', () => {
    const store = storage()
    const memory = failureMemory(store, 'k', 60_000)
    memory.remember('websocket', 'ws-silent')
    memory.remember('sse', 'stream-buffered')
    memory.forget('websocket')
    expect(Object.keys(memory.read())).toEqual(['sse'])
    store.data.set('k', '{not json')
    expect(memory.read()).toEqual({})
    const broken = failureMemory(
      {
        getItem: () => {
          throw new Error('blocked')
        },
        setItem: () => {
          throw new Error('quota')
        },
      },
      'k',
      1000,
    )
    expect(() => broken.remember('sse', 'idle-cut')).not.toThrow()
  })
})
