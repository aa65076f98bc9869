import { describe, expect, it } from 'vitest'
import { ConnectionLimiter } from './connection-limiter.js'
import { RateLimiter } from './rate-limiter.js'

describe('RateLimiter', () => {
  it('allows the burst, then the sustained rate, and says when to retry', () => {
    let now = 0
    const limiter = new RateLimiter(2, 3, 'RT_ERR_X', 'things', () => now)
    for (let i = 0; i < 3; i++) limiter.take('a')
    expect(() => limiter.take('a')).toThrow(expect.objectContaining({ code: 'RT_ERR_X', statusCode: 429, details: { retryAfterSec: 1 } }))
    limiter.take('b')
    now += 500
    limiter.take('a')
    expect(() => limiter.take('a')).toThrow()
  })

  it('keeps at most maxKeys buckets', () => {
    const limiter = new RateLimiter(1, 1, 'RT_ERR_X', 'things', () => 0, 10)
    for (let i = 0; i < 100; i++) limiter.take(`k${i}`)
    expect(limiter.size).toBe(10)
  })
})

describe('ConnectionLimiter', () => {
  it('counts per client and in total, and releases once', () => {
    const limiter = new ConnectionLimiter(3, 2)
    const a1 = limiter.acquire('a')
    limiter.acquire('a')
    expect(() => limiter.acquire('a')).toThrow(expect.objectContaining({ code: 'RT_ERR_LIMIT_CLIENT_CONNECTIONS' }))
    limiter.acquire('b')
    expect(() => limiter.acquire('c')).toThrow(expect.objectContaining({ code: 'RT_ERR_LIMIT_CONNECTIONS' }))
    a1()
    a1()
    expect(limiter.size).toBe(2)
    limiter.acquire('a')
  })
  it('takes and gives slots without a closure, with the same limits', () => {
    const limiter = new ConnectionLimiter(10, 1)
    limiter.take('a')
    expect(() => limiter.take('a')).toThrow(expect.objectContaining({ code: 'RT_ERR_LIMIT_CLIENT_CONNECTIONS' }))
    expect(() => limiter.acquire('a')).toThrow(expect.objectContaining({ code: 'RT_ERR_LIMIT_CLIENT_CONNECTIONS' }))
    limiter.give('a')
    expect(limiter.size).toBe(0)
    limiter.take('a')
    expect(limiter.size).toBe(1)
  })
})
