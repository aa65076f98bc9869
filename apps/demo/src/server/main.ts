import { buildDemoApp } from './app.js'
import { readConfig } from './config.js'
import { createLog, describeLog } from './log.js'

/** `PORT=<n> pnpm demo`: one fastify process on HOST:PORT (default 127.0.0.1:8080) serving the plugin and the SPA. */
async function main(): Promise<void> {
  const config = readConfig()
  const log = await createLog(config)
  const app = await buildDemoApp({ config, log })
  app.addHook('onClose', async () => log.close())
  // Which log (and whether this instance runs the ticker): with several instances on Redis, one ticker is enough.
  app.log.info({ ...describeLog(config), tickerMs: config.TICKER_MS }, 'event log')

  let closing = false
  const shutdown = (signal: string): void => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', () => shutdown('SIGINT'))
  process.once('SIGTERM', () => shutdown('SIGTERM'))

  await app.listen({ port: config.PORT, host: config.HOST })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.PORT
  // A stable line that people and the e2e fixtures read to learn the port (PORT=0 picks a free one).
  app.log.info({ url: `http://${config.HOST}:${port}/`, port }, 'pushline demo ready')
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
