import { defineConfig } from '@playwright/test'

/**
 * pushline's browser e2e: Debian's chromium (Playwright cannot download browsers here), private nginx instances
 * and demo servers started by the fixtures in fixtures/. Failures leave a trace, a screenshot and the server/nginx
 * logs in e2e/artifacts/<test>/.
 */
export default defineConfig({
  testDir: './tests',
  outputDir: './artifacts',
  // Each test starts its own demo server and nginx; two workers fit the 2-core machines this runs on.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  fullyParallel: true,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
})
