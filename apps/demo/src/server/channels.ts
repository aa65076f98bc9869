import { defineChannels } from '@pushline/core'
import { z } from 'zod'

/**
 * The demo's channels, declared once: the server validates every publish against them and the SPA imports the
 * types (type-only, so zod stays out of the browser bundle).
 */
export const demoChannels = defineChannels({
  ticker: z.object({ symbol: z.string(), price: z.number(), change: z.number(), at: z.string() }),
  chat: z.object({ from: z.string().trim().min(1).max(32), text: z.string().trim().min(1).max(500) }),
  // Load channels are written only by the server-side publisher (see demo-control.ts); the e2e suite watches them.
  'load/*': z.object({ n: z.number().int().nonnegative(), at: z.number() }),
})

export type DemoChannels = typeof demoChannels
export type TickerData = z.infer<DemoChannels['ticker']>
export type ChatData = z.infer<DemoChannels['chat']>
export type LoadData = z.infer<DemoChannels['load/*']>

/** Channels a browser may publish on. Everything else is server-side only. */
export const BROWSER_PUBLISHABLE: ReadonlySet<string> = new Set(['chat'])
export const LOAD_PREFIX = 'load/'
