import type { TickerData } from './channels.js'

export type Publish = (channel: string, data: unknown) => Promise<unknown>

const SYMBOLS = ['PSHL', 'NGNX', 'SSEE', 'WSKT'] as const

/**
 * A fake market feed so that something always moves on the page: every `intervalMs` one symbol's price takes a
 * small random step and is published on `ticker`. Returns the stop function.
 */
export function startTicker(publish: Publish, intervalMs: number, onError: (err: unknown) => void): () => void {
  const prices = new Map<string, number>(SYMBOLS.map((s, i) => [s, 100 + i * 25]))
  let turn = 0
  const timer = setInterval(() => {
    const symbol = SYMBOLS[turn++ % SYMBOLS.length]!
    const previous = prices.get(symbol)!
    const price = Math.max(1, round2(previous * (1 + (Math.random() - 0.5) * 0.01)))
    prices.set(symbol, price)
    const data: TickerData = { symbol, price, change: round2(price - previous), at: new Date().toISOString() }
    publish('ticker', data).catch(onError)
  }, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}

function round2(n: number): number {
  return Math.round(n * 100) / 100
}
