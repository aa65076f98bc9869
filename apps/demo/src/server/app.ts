import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { EventLog } from '@pushline/core'
import { pushline } from '@pushline/server'
import Fastify, { type FastifyInstance } from 'fastify'
import { BROWSER_PUBLISHABLE, demoChannels } from './channels.js'
import type { DemoConfig } from './config.js'
import { demoControl } from './demo-control.js'
import { METRICS_PATH, metricsBearer } from './metrics-guard.js'
import { startTicker } from './ticker.js'

export interface DemoAppOptions {
  readonly config: DemoConfig
  readonly log: EventLog
  /** Where the built SPA lives (default: dist/public next to this file's dist/server). */
  readonly publicDir?: string
}

/** The plugin refuses a metrics endpoint that does not say who may scrape it: the token's holder, or (explicitly) anyone. */
function metricsOptions(token: string | undefined): { path: string; authorize: ReturnType<typeof metricsBearer> } | { path: string; public: true } {
  return token ? { path: METRICS_PATH, authorize: metricsBearer(token) } : { path: METRICS_PATH, public: true }
}

const DEFAULT_PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url))

/**
 * The demo app: the pushline plugin at /rt over `log`, a ticker feed, the SPA, and (only with DEMO_CONTROL=1) the
 * load publisher at /demo/. The app holds no real-time logic of its own: everything goes through the plugin.
 */
export async function buildDemoApp(options: DemoAppOptions): Promise<FastifyInstance> {
  const { config, log } = options
  const app = Fastify({ logger: { level: config.LOG_LEVEL } })

  await app.register(pushline, {
    prefix: '/rt',
    log,
    channels: demoChannels,
    ...(config.HEARTBEAT_MS ? { heartbeatMs: config.HEARTBEAT_MS } : {}),
    ...(config.HOLD_MS ? { holdMs: config.HOLD_MS } : {}),
    ...(config.LONGPOLL_CACHE_SEC ? { longpollCacheMaxAgeSec: config.LONGPOLL_CACHE_SEC } : {}),
    ...(config.ALLOWED_ORIGINS ? { allowedOrigins: config.ALLOWED_ORIGINS } : {}),
    ...(config.PUSHLINE_METRICS ? { metrics: metricsOptions(config.PUSHLINE_METRICS_TOKEN) } : {}),
    // No `authenticate`: the demo has no users, so `identity` is undefined. Anyone may watch; browsers may only
    // publish chat. The ticker and load channels are written server-side.
    authorize: async (_identity, { action, channels }) =>
      action === 'subscribe' || channels.every((channel) => BROWSER_PUBLISHABLE.has(channel)),
  })
  if (config.PUSHLINE_METRICS && !config.PUSHLINE_METRICS_TOKEN) {
    app.log.warn(`PUSHLINE_METRICS=1: /rt${METRICS_PATH} is served to anyone (set PUSHLINE_METRICS_TOKEN or protect it at the proxy)`)
  }
  const publish = (channel: string, data: unknown) => app.pushline.publish(channel, data)

  if (config.TICKER_MS > 0) {
    const stop = startTicker(publish, config.TICKER_MS, (err) => app.log.warn({ err }, 'ticker publish failed'))
    app.addHook('onClose', async () => stop())
  }
  if (config.DEMO_CONTROL) {
    await app.register(demoControl, { prefix: '/demo', publish })
    app.log.warn('DEMO_CONTROL=1: the /demo/ load publisher is enabled')
  }

  app.get('/healthz', async () => ({ ok: true }))

  const publicDir = options.publicDir ?? DEFAULT_PUBLIC_DIR
  if (existsSync(publicDir)) {
    await app.register(fastifyStatic, {
      root: publicDir,
      // Vite fingerprints everything under assets/, so those may be cached forever; index.html never.
      setHeaders(res, path) {
        res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache')
      },
    })
  } else {
    app.log.warn({ publicDir }, 'the SPA is not built (run `pnpm --filter @pushline/demo build`); serving the API only')
    app.get('/', async (_request, reply) => reply.type('text/plain').send('pushline demo: the SPA is not built\n'))
  }
  return app
}
