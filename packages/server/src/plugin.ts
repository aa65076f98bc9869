import fastifyWebsocket from '@fastify/websocket'
import { type ChannelData, type ChannelName, type EventLog, type LogEvent, MemoryLog } from '@pushline/core'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import type { Registry } from 'prom-client'
import { Access } from './access.js'
import { Authenticator } from './auth/authenticator.js'
import { Authorizer } from './auth/authorizer.js'
import { registerMetricsRoute } from './routes/metrics.js'
import { ConnectionSet } from './connections.js'
import type { IdentityFields, RegisteredChannels, RegisteredIdentity } from './register.js'
import { installErrorHandler } from './error-handler.js'
import { Admission } from './admission.js'
import { ServerErrors } from './errors.js'
import { FlushScheduler } from './flush-scheduler.js'
import { HoldRegistry } from './lifecycle/hold-registry.js'
import { ConnectionLimiter } from './limits/connection-limiter.js'
import { RateLimiter } from './limits/rate-limiter.js'
import { MetricsState, type PushlineMetrics, registerPrometheus } from './metrics.js'
import { ConnectionLog } from './observability/connection-log.js'
import { Observer } from './observability/observer.js'
import { setDeliverTracer } from './observability/tracing.js'
import { type PushlineOptions, resolveOptions } from './options.js'
import { Publisher } from './publisher.js'
import { registerHttpSurface } from './routes/http-surface.js'
import { registerNegotiate } from './routes/negotiate.js'
import { registerPublish } from './routes/publish.js'
import { sessionOptionsOf } from './stream-session.js'
import { TRANSPORTS } from './transports/index.js'
import type { ServerTransport, TransportContext } from './transports/types.js'

/** `app.pushline`: server-side publishing and the counters. */
export interface PushlineDecorator {
  readonly log: EventLog
  /**
   * Validates (name, declaration, schema) and appends; resolves with the event once it is in the log. Typed by the
   * channels declared in `Register` (see register.ts).
   */
  publish<K extends ChannelName<RegisteredChannels>>(channel: K, data: ChannelData<RegisteredChannels, K>): Promise<LogEvent>
  /** The counters as JSON. */
  metrics(): PushlineMetrics
  /**
   * The Prometheus text of the metrics endpoint, to serve where the app chooses (e.g. only on an internal port),
   * whether or not the endpoint is enabled.
   */
  prometheus(): Promise<string>
  /** The prom-client registry of the metrics (made at the first `prometheus()` when the endpoint is off). */
  readonly registry: Registry | undefined
  /**
   * Ends every connection on THIS instance whose identity matches (`{ user }`, or a predicate): streams get a `close`
   * frame RT_ERR_AUTH_REVOKED, WebSockets an `error` frame and close 4401, held long-polls a 401. Returns how many
   * were ended. With several instances, call it on each (e.g. from a control channel they all subscribe to).
   */
  disconnect(match: { readonly user: string } | ((identity: RegisteredIdentity) => boolean), reason?: string): number
}

declare module 'fastify' {
  interface FastifyInstance {
    pushline: PushlineDecorator
  }
}

// Subscribe messages per WebSocket refill at this rate after the burst (`limits.subscribeBurst`).
const SUBSCRIBE_REFILL_PER_SECOND = 2

const pushlinePlugin: FastifyPluginAsync<PushlineOptions> = async (app, rawOptions) => {
  const options = resolveOptions(rawOptions)
  const ownsLog = options.log === undefined
  const log = options.log ?? new MemoryLog()
  const metrics = new MetricsState()
  const connections = new ConnectionSet(options.heartbeatMs)
  const access = new Access(options)
  const limits = options.limits
  const publishRate = new RateLimiter(limits.publishPerSecond, limits.publishBurst, ServerErrors.LimitPublishRate, 'publishes')
  const limiter = new ConnectionLimiter(limits.maxConnections, limits.maxConnectionsPerClient)
  const holds = new HoldRegistry()
  const observer = new Observer(metrics)
  if (options.tracer) {
    setDeliverTracer(options.tracer)
    app.addHook('onClose', async () => setDeliverTracer(undefined))
  }
  const shared: Omit<TransportContext, 'counters'> = {
    log,
    options,
    access,
    admission: new Admission(
      access,
      new Authenticator(options),
      new Authorizer(options.authorize),
      limiter,
      publishRate,
      connections,
    ),
    subscribeRate: new RateLimiter(
      SUBSCRIBE_REFILL_PER_SECOND,
      limits.subscribeBurst,
      ServerErrors.LimitSubscribeRate,
      'subscribe messages',
    ),
    publisher: new Publisher(() => log, options, metrics, holds),
    holds,
    connections,
    flusher: new FlushScheduler(options.maxFlushDelayMs, undefined, observer.flushed),
    observer,
    session: sessionOptionsOf(options),
    closeGraceMs: options.closeGraceMs,
  }
  const metricsOptions = typeof options.metrics === 'object' ? options.metrics : undefined
  let registry = metricsOptions ? registerPrometheus(metrics, metricsOptions.registry) : undefined
  const prometheus = (): Registry => {
    registry ??= registerPrometheus(metrics)
    return registry
  }

  app.decorate('pushline', {
    log,
    publish: (channel: string, data: unknown) => shared.publisher.publish(channel, data),
    metrics: () => metrics.snapshot(),
    prometheus: () => prometheus().metrics(),
    get registry() {
      return registry
    },
    disconnect: (match, reason) => {
      const matches =
        typeof match === 'function'
          ? (identity: IdentityFields) => match(identity as RegisteredIdentity) === true
          : (identity: IdentityFields) => identity.user === match.user
      return connections.revoke(matches, reason)
    },
  } satisfies PushlineDecorator)
  app.decorateRequest('pushlineIdentity', undefined)

  if (options.allowedOrigins === undefined && options.transports.includes('websocket')) {
    app.log.warn('pushline: allowedOrigins is not set, so WebSocket upgrades from any site are accepted')
  }

  // Before the server stops: streams get a `close` frame, WebSockets 1012, held long-polls 204. Clients resume
  // elsewhere from their cursor, so a rolling restart loses nothing.
  app.addHook('preClose', async () => {
    const open = connections.size
    await connections.shutdown()
    if (open > 0) app.log.info({ connections: open }, 'pushline: connections closed for shutdown')
  })
  app.addHook('onClose', async () => {
    if (ownsLog) await log.close()
  })

  await app.register(
    async (scope: FastifyInstance) => {
      installErrorHandler(scope)
      const routes: Record<string, string[]> = { '/negotiate': ['GET'], '/publish': ['POST'] }
      for (const name of options.transports) {
        const transport = TRANSPORTS[name]
        const context = { ...shared, counters: metrics.transports[name], connectionLog: new ConnectionLog(name, app.log) }
        // @fastify/websocket's hooks run on every request of the scope it is registered in (an onRequest and an
        // onResponse each): only the WebSocket route's scope has it, so a long-poll does not pay them (issue 15).
        if (name === 'websocket') scope.register(async (ws: FastifyInstance) => websocketScope(ws, transport, context))
        else transport.register(scope, context)
        routes[transport.path] = ['GET']
      }
      registerHttpSurface(scope, access, shared.admission, routes, options.prefix !== '')
      registerNegotiate(scope, options, TRANSPORTS, () => log.head())
      registerPublish(scope, shared)
      if (metricsOptions) registerMetricsRoute(scope, metricsOptions, prometheus)
    },
    { prefix: options.prefix },
  )
}

/** The WebSocket route in a scope of its own with @fastify/websocket (unless the app registered it already). */
async function websocketScope(ws: FastifyInstance, transport: ServerTransport, context: TransportContext): Promise<void> {
  if (!ws.hasDecorator('websocketServer')) {
    await ws.register(fastifyWebsocket, {
      options: { maxPayload: context.options.limits.maxPublishBytes, perMessageDeflate: false },
      // pushline's own preClose has already closed its sockets with a reason; close the server only.
      preClose: (done) => {
        ws.websocketServer.close()
        done()
      },
    })
  }
  transport.register(ws, context)
}

/** The pushline fastify plugin: `app.register(pushline, { prefix: '/rt', log, channels, authenticate, authorize, limits })`. */
export const pushline = fp(pushlinePlugin, { fastify: '5.x', name: '@pushline/server' })
export default pushline
