import { MemoryLog } from '@pushline/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { resolveOptions } from './options.js'

describe('resolveOptions', () => {
  it('fills the defaults of protocol 1', () => {
    const options = resolveOptions({})
    expect(options).toMatchObject({ prefix: '/rt', holdMs: 25_000, heartbeatMs: 15_000, strict: false })
    expect(options.transports).toEqual(['websocket', 'sse', 'ndjson', 'longpoll'])
    expect(options.limits.maxBufferedBytes).toBe(1024 * 1024)
  })

  it('makes declarations strict unless told otherwise', () => {
    const channels = { chat: z.string() }
    expect(resolveOptions({ channels }).strict).toBe(true)
    expect(resolveOptions({ channels, strictChannels: false }).strict).toBe(false)
  })

  it('accepts a log and ignores fastify register keys', () => {
    const log = new MemoryLog()
    expect(resolveOptions({ log, logLevel: 'warn' }).log).toBe(log)
  })

  it.each([
    [{ prefix: 'rt' }, 'prefix'],
    [{ log: {} }, 'log'],
    [{ transports: ['sse', 'sse'] }, 'transports'],
    [{ transports: [] }, 'transports'],
    [{ limits: { maxConnections: 0 } }, 'limits.maxConnections'],
    [{ limits: { maxConection: 3 } }, 'limits'],
    [{ channels: { chat: 'string' } }, 'channels.chat'],
    [{ allowedOrigins: 'https://a.example' }, 'allowedOrigins'],
  ])('names the problem in %j', (input, where) => {
    expect(() => resolveOptions(input)).toThrow(
      expect.objectContaining({ code: 'RT_ERR_CONFIG_INVALID', message: expect.stringContaining(where) }),
    )
  })
})
