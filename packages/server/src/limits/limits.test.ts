import { describe, expect, it } from 'vitest'
import { ConnectionLimiter } from './connection-limiter.js'
import { ErrorKind } from '../errors.js'
import { RateLimiter } from './rate-limiter.js'

const X = new ErrorKind({ code: 'RT_ERR_X', status: 429, http: 'retry', ws: 4429, message: 'x', meaning: 'x' })

describe('RateLimiter', () => {
  it('allows the burst, then the sustained rate, and says when to retry', () => {
    let now = 0
    const limiter = new RateLimiter(2, 3, X, 'things', () => now)
    for (let i = 0; i < 3; i++) limiter.take('a')
    expect(() => limiter.take('a')).toThrow(
      expect.objectContaining({ code: 'RT_ERR_X', statusCode: 429, details: { retryAfterSec: 1 } }),
    )
    limiter.take('b')
    now += 500
    limiter.take('a')
    expect(() => limiter.take('a')).toThrow()
  })

  it('keeps at most maxKeys buckets', () => {
    const limiter = new RateLimiter(1, 1, X, 'things', () => 0, 10)
    for (let i = 0; i < 100; i++) limiter.take(`k${i}`)
    expect(limiter.size).toBe(10)
  })

  it('takes from a bucket its holder keeps, on the same clock and limits', () => {
    let now = 0
    const limiter = new RateLimiter(2, 2, X, 'things', () => now)
    const bucket = limiter.bucket()
    limiter.takeFrom(bucket)
    limiter.takeFrom(bucket)
    expect(() => limiter.takeFrom(bucket)).toThrow(expect.objectContaining({ code: 'RT_ERR_X', statusCode: 429 }))
    now += 500
    limiter.takeFrom(bucket)
    expect(limiter.size).toBe(0)
  })
})

describe('ConnectionLimiter', () => {
  it('counts per client and in total, and gives back', () => {
    const limiter = new ConnectionLimiter(3, 2)
    limiter.take('a')
    limiter.take('a')
    expect(() => limiter.take('a')).toThrow(expect.objectContaining({ code: 'RT_ERR_LIMIT_CLIENT_CONNECTIONS', statusCode: 429 }))
    limiter.take('b')
    expect(() => limiter.take('c')).toThrow(
      expect.objectContaining({ code: 'RT_ERR_LIMIT_CONNECTIONS', details: { retryAfterSec: 5 } }),
    )
    limiter.give('a')
    expect(limiter.size).toBe(2)
    limiter.take('a')
    expect(limiter.size).toBe(3)
  })

  it('keeps the count of a client that takes and gives per request, and forgets idle clients beyond 1,024', () => {
    const limiter = new ConnectionLimiter(100_000, 1)
    // A long-poller: one slot per poll, given back when it is answered; its limit holds on every round.
    for (let i = 0; i < 1000; i++) {
      limiter.take('poller')
      expect(() => limiter.take('poller')).toThrow(expect.objectContaining({ code: 'RT_ERR_LIMIT_CLIENT_CONNECTIONS' }))
      limiter.give('poller')
    }
    // 5,000 clients come and go: at most 1,024 idle keys stay (plus any holding slots).
    for (let i = 0; i < 5000; i++) {
      limiter.take(`c${i}`)
      limiter.take(`held${i % 10}`)
      limiter.give(`c${i}`)
      limiter.give(`held${i % 10}`)
    }
    expect(limiter.size).toBe(0)
    expect(limiter.clients).toBeLessThanOrEqual(1025)
    limiter.take('c1')
    expect(() => limiter.take('c1')).toThrow(expect.objectContaining({ code: 'RT_ERR_LIMIT_CLIENT_CONNECTIONS' }))
  })
})
