import { describe, expect, it } from 'vitest'
import { refusedChannels, renewable, tokens } from './auth.js'
import { wireError } from './errors.js'

describe('tokens', () => {
  it('asks getToken once for every request until renewed, then once again', async () => {
    let calls = 0
    const source = tokens(async () => `t${++calls}`)
    expect(await Promise.all([source.get(), source.get(), source.get()])).toEqual(['t1', 't1', 't1'])
    expect(source.renew('t1')).toBe(true)
    // a second attempt that used the old token finds it renewed already: no second getToken for it
    expect(source.renew('t1')).toBe(false)
    expect(await Promise.all([source.get(), source.get()])).toEqual(['t2', 't2'])
    expect(calls).toBe(2)
  })

  it('does not count a stale token as renewed while the next one is still on its way', async () => {
    let release: (token: string) => void = () => {}
    const pending = new Promise<string>((resolve) => {
      release = resolve
    })
    let calls = 0
    const source = tokens(() => (++calls === 1 ? 'old' : pending))
    expect(await source.get()).toBe('old')
    expect(source.renew('old')).toBe(true)
    const next = source.get()
    expect(source.renew('old')).toBe(false)
    release('new')
    expect(await next).toBe('new')
  })

  it('turns a throwing or non-string getToken into RT_ERR_CLIENT_TOKEN and asks again next time', async () => {
    let calls = 0
    const source = tokens(() => {
      calls++
      if (calls === 1) throw new Error('offline')
      return calls === 2 ? (42 as unknown as string) : 'ok'
    })
    await expect(source.get()).rejects.toMatchObject({ code: 'RT_ERR_CLIENT_TOKEN' })
    await expect(source.get()).rejects.toMatchObject({ code: 'RT_ERR_CLIENT_TOKEN' })
    expect(await source.get()).toBe('ok')
  })

  it('gives the static token, or none', async () => {
    expect(await tokens('static').get()).toBe('static')
    expect(await tokens(undefined).get()).toBeUndefined()
  })
})

it('knows which refusals a fresh credential may cure and which channels a refusal names', () => {
  expect(['RT_ERR_AUTH_EXPIRED', 'RT_ERR_AUTH_REVOKED', 'RT_ERR_AUTH_UNAUTHENTICATED'].every(renewable)).toBe(true)
  expect(renewable('RT_ERR_AUTH_FORBIDDEN')).toBe(false)
  expect(renewable(undefined)).toBe(false)
  expect(refusedChannels(wireError('RT_ERR_AUTH_FORBIDDEN', 'no', 403, ['a', 7, 'b']))).toEqual(['a', 'b'])
  expect(refusedChannels(wireError('RT_ERR_AUTH_FORBIDDEN', 'no', 403))).toEqual([])
})
