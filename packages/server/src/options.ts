import { type ChannelSchemas, CoreErrors, type EventLog, TRANSPORT_NAMES, type TransportName } from '@pushline/core'
import type { FastifyRequest } from 'fastify'
import type { Registry } from 'prom-client'
import { z } from 'zod'
import type { PushlineTracer } from './observability/tracing.js'
import type { RegisteredIdentity } from './register.js'

export type AuthorizeAction = 'subscribe' | 'publish'

/** Where `authenticate` is asked from: one of the four transports, or a publish over HTTP. */
export type AuthenticateTransport = TransportName | 'publish'

/**
 * Turns a request into an identity, once per connection (a WebSocket: at its first message) and per HTTP publish.
 * `token` is the bearer token: `Authorization: Bearer <token>`, the WebSocket `auth` message, or the query parameter
 * of `credentials.queryParam` when configured. Return null/undefined for 401 RT_ERR_AUTH_UNAUTHENTICATED, or throw a
 * 4xx PushlineError to choose the answer; any other throw is logged and answered 401 (fail closed). An identity
 * whose `expiresAt` has passed is answered 401 RT_ERR_AUTH_EXPIRED.
 */
export type Authenticate = (
  request: FastifyRequest,
  credentials: { readonly token: string | undefined; readonly transport: AuthenticateTransport },
) => RegisteredIdentity | null | undefined | Promise<RegisteredIdentity | null | undefined>

/**
 * Decides whether `identity` may subscribe to / publish on `channels` (all of them: a refusal of several is asked
 * again per channel to name the refused ones in the 403's `channels`). `identity` is undefined only when there is
 * no `authenticate` hook. Return false for 403, or throw a PushlineError to choose the answer. For a WebSocket,
 * `request` is the upgrade request; the hook is asked for every subscribe and publish message.
 */
export type Authorize = (
  identity: RegisteredIdentity | undefined,
  context: { readonly channels: readonly string[]; readonly action: AuthorizeAction; readonly request: FastifyRequest },
) => boolean | Promise<boolean>

export interface PushlineCredentials {
  /**
   * `authenticate` reads cookies. A browser sends cookies with a WebSocket upgrade from any site, so this requires
   * `allowedOrigins` to be a list or a function (not '*', not unset): else RT_ERR_CONFIG_INVALID at registration.
   */
  readonly cookies?: boolean
  /**
   * Also read the token from this query parameter, for native EventSource and WebSocket tools that cannot set
   * headers. Default: never read from the URL (URLs end up in access logs). pushline never logs it.
   */
  readonly queryParam?: string
}

export type OriginCheck = (origin: string) => boolean

export interface PushlineLimits {
  /** Open streams + WebSockets + held long-polls on this instance (default 10,000). */
  readonly maxConnections?: number
  /** The same, per client key (default 50). */
  readonly maxConnectionsPerClient?: number
  /** Publishes per second per client key, sustained (default 20), over HTTP and WebSocket together. */
  readonly publishPerSecond?: number
  /** Publishes a client may burst above the sustained rate (default 40). */
  readonly publishBurst?: number
  /** Largest publish request body / WebSocket message in bytes (default 64 KiB + 1 KiB of envelope). */
  readonly maxPublishBytes?: number
  /** Channels in one subscription (default 64). */
  readonly maxChannels?: number
  /** Bytes a connection may have pending in its socket before it is dropped as a slow consumer (default 1 MiB). */
  readonly maxBufferedBytes?: number
  /** Events in one long-poll answer (default 1000). */
  readonly maxBatchEvents?: number
  /** Bytes of events in one long-poll answer (default 1 MiB; always at least one event). */
  readonly maxBatchBytes?: number
  /** Subscribe messages per WebSocket connection: burst (default 20), then 2 per second. */
  readonly subscribeBurst?: number
  /**
   * Who a request counts against for per-client limits. Default: `user:<identity.user>` when there is an identity
   * with a user, else `request.ip` (which honours fastify's `trustProxy`).
   */
  readonly clientKey?: (request: FastifyRequest, identity: RegisteredIdentity | undefined) => string
}

export interface PushlineMetricsOptions {
  /**
   * Who may scrape the endpoint: false answers 401 RT_ERR_AUTH_UNAUTHENTICATED (or throw a PushlineError, e.g. 403).
   * One of `authorize` or `public: true` is required: the endpoint sits under the public prefix.
   */
  readonly authorize?: (request: FastifyRequest) => boolean | Promise<boolean>
  /** Serve it to anyone who reaches the prefix (e.g. when the proxy already restricts it). */
  readonly public?: boolean
  /** Route of the Prometheus text endpoint under the prefix (default `/metrics`). */
  readonly path?: string
  /** prom-client registry to add the metrics to (default: a registry of the plugin's own). */
  readonly registry?: Registry
}

export interface PushlineOptions {
  /** Route prefix (default `/rt`; `''` mounts at the root). */
  readonly prefix?: string
  /** The event log (default: a new MemoryLog, closed with the app; a log you pass is yours to close). */
  readonly log?: EventLog
  /** Channel declarations (`defineChannels`): published data is validated against them. */
  readonly channels?: ChannelSchemas
  /**
   * Refuse channels the declarations do not cover (400 RT_ERR_CHANNEL_UNDECLARED) on subscribe and publish.
   * Default: true when `channels` is given, else false.
   */
  readonly strictChannels?: boolean
  readonly authenticate?: Authenticate
  readonly authorize?: Authorize
  readonly credentials?: PushlineCredentials
  /**
   * Origins allowed to connect from a browser: checked on the WebSocket upgrade and on every request carrying
   * `Origin`, and answered with CORS headers. `'*'` allows any. Default: not checked, no CORS headers.
   */
  readonly allowedOrigins?: '*' | readonly string[] | OriginCheck
  /** Longest long-poll hold (default 25,000 ms). */
  readonly holdMs?: number
  /**
   * Long-poll answers with events may be kept by shared caches (a CDN, nginx `proxy_cache` + `proxy_cache_lock`) for
   * this many seconds: `Cache-Control: public, max-age=N` (0, the default: `no-store`). An answer is a function of
   * its URL (channels + cursor) only, so a cache collapses thousands of polls at one position into one origin
   * request. Turn it on only where every subscriber of a channel may read it: an `authorize` hook that answers
   * differently per user makes answers personal, and a shared cache would hand them to anyone.
   */
  readonly longpollCacheMaxAgeSec?: number
  /** Heartbeat period of streams and WebSocket pings (default 15,000 ms). */
  readonly heartbeatMs?: number
  /** SSE `retry:` sent to EventSource (default 1,000 ms). */
  readonly sseRetryMs?: number
  /** Enabled transports in order of preference (default all four). */
  readonly transports?: readonly TransportName[]
  readonly limits?: PushlineLimits
  /**
   * Prometheus endpoint (default off): `{ authorize }` or `{ public: true }` (`true` alone is refused: say who may
   * scrape). `app.pushline.prometheus()` gives the same text to serve where you choose, with or without it.
   */
  readonly metrics?: false | PushlineMetricsOptions
  /** How long a closing connection may take to flush its last frames before it is destroyed (default 2,000 ms). */
  readonly closeGraceMs?: number
  /**
   * Under heavy fan-out, the longest a frame may wait to share a write with later ones (default 10 ms). Writes are
   * flushed at once while flushing takes little of the time; only when it dominates does the next flush wait, as
   * long as the last one took and at most this long. 0 flushes every loop turn.
   */
  readonly maxFlushDelayMs?: number
  /**
   * OpenTelemetry spans for publishes (`pushline.publish`) and deliveries (`pushline.deliver`, from an event's framing
   * to the end of the flush that wrote it; one per event and wire format, not per subscriber): pass
   * `trace.getTracer('pushline')` from `@opentelemetry/api`. Default: none, and nothing is done.
   */
  readonly tracer?: PushlineTracer
}

const isFunction = (value: unknown): boolean => typeof value === 'function'
const isLog = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  ['append', 'head', 'read', 'wait', 'listen', 'close'].every((key) => typeof Reflect.get(value, key) === 'function')
const isSchema = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof Reflect.get(value, 'safeParse') === 'function'

const ms = (min: number, max: number) => z.number().int().min(min).max(max)
const count = () => z.number().int().positive().max(Number.MAX_SAFE_INTEGER)

const limitsSchema = z
  .object({
    maxConnections: count().default(10_000),
    maxConnectionsPerClient: count().default(50),
    publishPerSecond: z.number().positive().default(20),
    publishBurst: count().default(40),
    maxPublishBytes: count().default(65 * 1024),
    maxChannels: count().default(64),
    maxBufferedBytes: count().default(1024 * 1024),
    maxBatchEvents: count().default(1000),
    maxBatchBytes: count().default(1024 * 1024),
    subscribeBurst: count().default(20),
    clientKey: z
      .custom<(request: FastifyRequest, identity: RegisteredIdentity | undefined) => string>(isFunction, 'must be a function')
      .optional(),
  })
  .strict()

const optionsSchema = z
  .object({
    prefix: z
      .string()
      .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'must be empty or like /rt (no trailing slash)')
      .default('/rt'),
    log: z.custom<EventLog>(isLog, 'must implement EventLog (append, head, read, wait, listen, close)').optional(),
    channels: z.record(z.string(), z.custom<z.ZodType>(isSchema, 'must be a zod schema')).optional(),
    strictChannels: z.boolean().optional(),
    authenticate: z.custom<Authenticate>(isFunction, 'must be a function').optional(),
    authorize: z.custom<Authorize>(isFunction, 'must be a function').optional(),
    credentials: z
      .object({
        cookies: z.boolean().optional(),
        queryParam: z
          .string()
          .regex(/^[A-Za-z0-9._~-]{1,64}$/, 'must be a plain query parameter name')
          .optional(),
      })
      .strict()
      .optional(),
    allowedOrigins: z
      .union([z.literal('*'), z.array(z.string().min(1)), z.custom<OriginCheck>(isFunction, 'must be a function')])
      .optional(),
    holdMs: ms(0, 600_000).default(25_000),
    longpollCacheMaxAgeSec: z.number().int().min(0).max(31_536_000).default(0),
    heartbeatMs: ms(10, 600_000).default(15_000),
    sseRetryMs: ms(0, 600_000).default(1000),
    transports: z
      .array(z.enum(TRANSPORT_NAMES))
      .min(1)
      .refine((names) => new Set(names).size === names.length, 'must not repeat a transport')
      .default([...TRANSPORT_NAMES]),
    limits: limitsSchema.default(limitsSchema.parse({})),
    metrics: z
      .union([
        z.boolean(),
        z
          .object({
            authorize: z.custom<(request: FastifyRequest) => boolean | Promise<boolean>>(isFunction, 'must be a function').optional(),
            public: z.boolean().optional(),
            path: z
              .string()
              .regex(/^\/[A-Za-z0-9._~/-]*$/)
              .optional(),
            registry: z.custom<Registry>((v) => typeof v === 'object' && v !== null, 'must be a prom-client Registry').optional(),
          })
          .strict(),
      ])
      .default(false),
    closeGraceMs: ms(0, 60_000).default(2000),
    maxFlushDelayMs: ms(0, 1000).default(10),
    tracer: z
      .custom<PushlineTracer>((value) => typeof value === 'object' && value !== null && isFunction(Reflect.get(value, 'startSpan')), 'must be an OpenTelemetry Tracer (startSpan)')
      .optional(),
  })
  .strict()
  .superRefine((options, issues) => {
    const origins = options.allowedOrigins
    if (options.credentials?.cookies === true && (origins === undefined || origins === '*')) {
      issues.addIssue({
        code: 'custom',
        path: ['credentials', 'cookies'],
        message:
          "cookie credentials need allowedOrigins as a list or a function (not '*', not unset): a browser sends cookies with a WebSocket upgrade from any site, so without an Origin allow-list any page could open a socket as your user (cross-site WebSocket hijacking)",
      })
    }
    const metrics = options.metrics
    if (metrics === true) {
      issues.addIssue({
        code: 'custom',
        path: ['metrics'],
        message:
          'metrics: true alone is refused: pass { authorize: (request) => boolean } or an explicit { public: true } (the endpoint sits under the public prefix)',
      })
    }
    if (typeof metrics === 'object' && metrics.authorize === undefined && metrics.public !== true) {
      issues.addIssue({
        code: 'custom',
        path: ['metrics'],
        message: 'the metrics endpoint needs { authorize: (request) => boolean } or an explicit { public: true }',
      })
    }
  })

export type ResolvedOptions = Omit<z.infer<typeof optionsSchema>, 'log'> & {
  readonly log: EventLog | undefined
  readonly strict: boolean
}

// Keys fastify itself reads from register options; they are not ours to validate.
const FASTIFY_REGISTER_KEYS = new Set(['logLevel', 'logSerializers'])

/** Validates the plugin options at registration; RT_ERR_CONFIG_INVALID names every problem found. */
export function resolveOptions(input: unknown): ResolvedOptions {
  const own =
    typeof input === 'object' && input !== null
      ? Object.fromEntries(Object.entries(input).filter(([key]) => !FASTIFY_REGISTER_KEYS.has(key)))
      : input
  const result = optionsSchema.safeParse(own ?? {})
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`)
    throw CoreErrors.ConfigInvalid.create(`invalid @pushline/server options: ${problems.join('; ')}`, { cause: result.error })
  }
  const options = result.data
  return { ...options, log: options.log, strict: options.strictChannels ?? options.channels !== undefined }
}
