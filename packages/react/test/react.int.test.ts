import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from '@playwright/test'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, startAppServer } from './fixtures/app-server.js'

// Debian's chromium, with the flags that keep it off the network (see TOOLCHAIN.md).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

let outDir: string
let server: { app: FastifyInstance; url: string }
let browser: Browser

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'pushline-react-app-'))
  await buildApp(outDir)
  server = await startAppServer(outDir)
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.app.close()
  if (outDir) rmSync(outDir, { recursive: true, force: true })
})

const received = (page: Page) => page.evaluate(() => (window as unknown as { __probe: { received: number[] } }).__probe.received.slice())
const effects = (page: Page) => page.evaluate(() => (window as unknown as { __probe: { effects: number } }).__probe.effects)

async function publishTicks(app: FastifyInstance, from: number, to: number): Promise<void> {
  for (let n = from; n < to; n++) await app.pushline.publish('ticks', { n })
}

describe('@pushline/react in Chromium (Vite development build, StrictMode)', () => {
  it('delivers every event exactly once, in order, across the double mount and a change of channels', async () => {
    const page = await browser.newPage()
    try {
      const cursor = await server.app.pushline.log.head()
      await page.goto(`${server.url}/?cursor=${encodeURIComponent(cursor)}`)
      // StrictMode ran the effects twice: the hook subscribed, unsubscribed and subscribed again.
      await expect.poll(() => effects(page), { timeout: 10_000 }).toBe(2)
      await publishTicks(server.app, 0, 50)
      await expect.poll(async () => (await received(page)).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(25)
      await page.click('#toggle') // ['ticks'] -> ['ticks', 'news']: a new subscription, resumed from the hook's position
      await publishTicks(server.app, 50, 100)
      await page.click('#toggle')
      await publishTicks(server.app, 100, 150)
      await expect.poll(async () => (await received(page)).at(-1), { timeout: 15_000 }).toBe(149)
      expect(await received(page)).toEqual(Array.from({ length: 150 }, (_, n) => n))
      expect(await page.textContent('#count')).toBe('150')
    } finally {
      await page.close()
    }
  }, 60_000)
})
