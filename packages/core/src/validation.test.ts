import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineChannels, isDeclared, validateChannelData } from './channels.js'
import { assertChannelName, assertChannelNames, channelNameSchema, serializePayload } from './validation.js'

describe('channel names', () => {
  it('accepts the documented alphabet', () => {
    for (const ok of ['chat', 'room/42', 'user:alice@example', 'a.b_c-d', 'x'.repeat(128)]) expect(assertChannelName(ok)).toBe(ok)
  })
  it('rejects the rest with RT_ERR_CHANNEL_INVALID', () => {
    for (const bad of ['', 'x'.repeat(129), 'a b', 'a\nb', 'ü', 42, null]) {
      expect(() => assertChannelName(bad)).toThrow(expect.objectContaining({ code: 'RT_ERR_CHANNEL_INVALID', statusCode: 400 }))
    }
    expect(() => assertChannelNames([])).toThrow(expect.objectContaining({ code: 'RT_ERR_CHANNEL_INVALID' }))
    expect(assertChannelNames(['a', 'b', 'a'])).toEqual(['a', 'b'])
  })
  it('takes exactly what channelNameSchema takes (the fast check and the schema agree)', () => {
    const names: unknown[] = ['a\n', '\na', 'x'.repeat(128), 'x'.repeat(129), `${'x'.repeat(128)}\n`, undefined, {}, ['a']]
    for (let code = 0; code < 256; code++) names.push(String.fromCharCode(code), `a${String.fromCharCode(code)}b`)
    for (const name of names) {
      const valid = channelNameSchema.safeParse(name).success
      if (valid) expect(assertChannelName(name)).toBe(name)
      else expect(() => assertChannelName(name)).toThrow(expect.objectContaining({ code: 'RT_ERR_CHANNEL_INVALID' }))
    }
  })
})

describe('payloads', () => {
  it('serializes JSON once and measures bytes, not characters', () => {
    expect(serializePayload({ a: [1, 'b'] })).toBe('{"a":[1,"b"]}')
    expect(() => serializePayload('é'.repeat(600), 1000)).toThrow(
      expect.objectContaining({ code: 'RT_ERR_PAYLOAD_TOO_LARGE', statusCode: 413 }),
    )
    expect(serializePayload('é'.repeat(400), 1000)).toHaveLength(402)
  })
})

describe('typed channels', () => {
  const channels = defineChannels({ chat: z.object({ text: z.string().max(10) }), 'room/*': z.number() })

  it('validates exact names and prefix patterns', () => {
    expect(validateChannelData(channels, 'chat', { text: 'hi' })).toEqual({ text: 'hi' })
    expect(validateChannelData(channels, 'room/7', 3)).toBe(3)
    expect(() => validateChannelData(channels, 'chat', { text: 5 })).toThrow(
      expect.objectContaining({ code: 'RT_ERR_PAYLOAD_SCHEMA', statusCode: 400 }),
    )
    expect(() => validateChannelData(channels, 'room/7', 'x')).toThrow(expect.objectContaining({ code: 'RT_ERR_PAYLOAD_SCHEMA' }))
    expect(validateChannelData(channels, 'free', { any: 1 })).toEqual({ any: 1 })
    expect(isDeclared(channels, 'room/1')).toBe(true)
    expect(isDeclared(channels, 'free')).toBe(false)
  })
})
