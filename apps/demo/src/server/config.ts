import { z } from 'zod'

const flag = z
  .enum(['0', '1', 'true', 'false', ''])
  .default('0')
  .transform((v) => v === '1' || v === 'true')

/** Everything the demo server reads from its environment, validated once at start with readable errors. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Ticker period; 0 turns the ticker off. Unset: 1000 on the in-memory log, 0 (off) on Redis, where several
   * instances share one log and each would publish its own ticker: set it on exactly one instance.
   */
  TICKER_MS: z.coerce.number().int().min(0).optional(),
  /** Heartbeat of the streaming transports (the plugin's default when unset). */
  HEARTBEAT_MS: z.coerce.number().int().positive().optional(),
  /** Longest long-poll hold (the plugin's default when unset). */
  HOLD_MS: z.coerce.number().int().positive().optional(),
  /**
   * `longpollCacheMaxAgeSec` of the plugin: long-poll answers with events become cacheable by a shared cache (the
   * e2e suite's longpoll-cache case puts nginx's proxy_cache in front). Unset or 0: not cacheable.
   */
  LONGPOLL_CACHE_SEC: z.coerce.number().int().min(0).optional(),
  /** Enables the /demo/ load-publisher endpoints used by the e2e suite. Off by default. */
  DEMO_CONTROL: flag,
  /**
   * Origins allowed to open WebSockets and make CORS requests: `*`, or a comma-separated list such as
   * `https://demo.example,http://localhost:8080`. Unset: not checked (the plugin warns at start).
   */
  ALLOWED_ORIGINS: z
    .string()
    .min(1)
    .transform((v) => (v.trim() === '*' ? ('*' as const) : v.split(',').map((o) => o.trim()).filter(Boolean)))
    .optional(),
  /** Selects the Redis Streams log (see log.ts); unset or empty: the in-memory log. */
  REDIS_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  ),
  /**
   * The Redis log's namespace: instances sharing a namespace share one history. The same characters the log
   * accepts (no braces: the namespace is the Redis Cluster hash tag).
   */
  REDIS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_.:@/-]{1,64}$/, 'must be 1-64 letters, digits or _ . : @ / -')
    .default('demo'),
  /** Serves the plugin's Prometheus metrics at /rt/metrics. Off by default: the endpoint is under the public prefix. */
  PUSHLINE_METRICS: flag,
  /**
   * When set, /rt/metrics answers only requests with `Authorization: Bearer <token>` (401 otherwise). At least 16
   * characters; without it, protect the endpoint at the proxy (see the README).
   */
  PUSHLINE_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).transform(({ TICKER_MS, ...env }) => ({ ...env, TICKER_MS: TICKER_MS ?? (env.REDIS_URL ? 0 : 1000) }))

export type DemoConfig = z.infer<typeof envSchema>

export function readConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`invalid demo configuration:\n${lines.join('\n')}`)
  }
  return parsed.data
}
