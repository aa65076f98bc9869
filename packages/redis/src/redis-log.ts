import {
  assertChannelName,
  CoreErrors,
  createEvent,
  DEFAULT_MAX_PAYLOAD_BYTES,
  type EventLog,
  formatCursor,
  isPushlineError,
  type LogEvent,
  type LogListener,
  newEpoch,
  parseCursor,
  type PushlineError,
  type ReadOptions,
  type ReadResult,
  serializePayload,
} from '@pushline/core'
import { Redis, type RedisOptions } from 'ioredis'
import { type LogKeys, logKeys } from './keys.js'
import { LuaScript } from './lua-script.js'
import { parseEvents } from './read-reply.js'
import { parseHead } from './replies.js'
import { APPEND_SCRIPT, CHECK_SCRIPT, HEAD_SCRIPT, READ_SCRIPT } from './scripts.js'
import { StreamReader } from './stream-reader.js'
import { listenerSubscription, type Subscription, waiterSubscription } from './subscription.js'

export interface RedisLogOptions {
  /** `redis://host:port/db`; default `redis://127.0.0.1:6379`. */
  readonly url?: string
  /** Extra ioredis options for both connections (host, password, tls...). RedisLog sets its own retry policy. */
  readonly redis?: RedisOptions
  /** The log's namespace: its own sequence, epoch and streams, all on one Cluster slot (default `default`). */
  readonly namespace?: string
  /** First part of every key (default `pushline`). */
  readonly keyPrefix?: string
  /** Events retained per channel; older ones are trimmed exactly (default 10,000; 0 = unbounded). */
  readonly maxLength?: number
  /** Age after which events are dropped, checked on append and read of their channel (default 1 hour; 0 = never). */
  readonly maxAgeMs?: number
  /** Largest event data accepted, serialized (default 64 KiB). */
  readonly maxPayloadBytes?: number
  /** How long a command may take before it fails with RT_ERR_LOG_UNAVAILABLE (default 5 s). */
  readonly commandTimeoutMs?: number
  /** XREAD BLOCK timeout of the reader; only a liveness check (default 10 s). */
  readonly blockMs?: number
  /** Entries per stream per XREAD (default 500). */
  readonly readCount?: number
  /** Errors the log cannot hand to a caller: reader failures (it retries) and listeners that threw. */
  readonly onError?: (error: unknown) => void
}

const DEFAULT_READ_LIMIT = 1000
const DEFAULT_READ_MAX_BYTES = 1024 * 1024

/**
 * An EventLog on Redis Streams, for several server instances sharing one history: one stream per channel, one
 * sequence per namespace assigned with the entry in a Lua script, an epoch kept in Redis, and per process one
 * blocking reader that fans out to local listeners and waiters. Create it with `createRedisLog`.
 */
export class RedisLog implements EventLog {
  readonly keys: LogKeys
  private readonly command: Redis
  private readonly readerConnection: Redis
  private readonly reader: StreamReader
  private readonly maxLength: number
  private readonly maxAgeMs: number
  private readonly maxPayloadBytes: number
  private readonly waiters = new Set<{ sub: Subscription; reject: (error: unknown) => void }>()
  private readonly scripts = {
    append: new LuaScript(APPEND_SCRIPT),
    head: new LuaScript(HEAD_SCRIPT),
    read: new LuaScript(READ_SCRIPT),
    check: new LuaScript(CHECK_SCRIPT),
  }
  private closed = false

  /** Use `createRedisLog`, which waits for the connection. */
  constructor(options: RedisLogOptions = {}) {
    this.keys = logKeys(options.keyPrefix ?? 'pushline', options.namespace ?? 'default')
    this.maxLength = nonNegative(options.maxLength, 10_000, 'maxLength')
    this.maxAgeMs = nonNegative(options.maxAgeMs, 60 * 60 * 1000, 'maxAgeMs')
    this.maxPayloadBytes = nonNegative(options.maxPayloadBytes, DEFAULT_MAX_PAYLOAD_BYTES, 'maxPayloadBytes')
    const onError = options.onError ?? (() => {})
    const base: RedisOptions = {
      ...options.redis,
      lazyConnect: true,
      // Never replay a command after a reconnect: a replayed append would be a duplicate event. And reject what
      // was in flight the moment the connection drops (maxRetriesPerRequest 0): without it ioredis silently
      // forgets those commands and their promises never settle.
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
    }
    const url = options.url ?? 'redis://127.0.0.1:6379'
    // Commands fail at once while Redis is unreachable (an append must reject, not queue).
    this.command = new Redis(url, {
      ...base,
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs ?? 5000,
      connectionName: 'pushline-command',
    })
    // The reader's commands wait in the offline queue for the current reconnection attempt; a failed attempt
    // rejects them and the reader retries with its own backoff, then resumes from its positions.
    this.readerConnection = new Redis(url, {
      ...base,
      enableOfflineQueue: true,
      blockingTimeout: 1000,
      connectionName: 'pushline-reader',
    })
    this.command.on('error', onError)
    this.readerConnection.on('error', onError)
    this.reader = new StreamReader(
      {
        reader: this.readerConnection,
        command: this.command,
        keys: this.keys,
        headScript: this.scripts.head,
        newEpoch,
        blockMs: options.blockMs ?? 10_000,
        count: options.readCount ?? 500,
        catchUpMax: 10_000,
        onError,
      },
      newEpoch(),
    )
  }

  /** Opens the command connection; rejects with RT_ERR_LOG_UNAVAILABLE when Redis cannot be reached. */
  async connect(): Promise<this> {
    try {
      // The reader connects on its own first command (lazyConnect with its offline queue).
      await this.command.connect()
      await this.head()
    } catch (error) {
      await this.close()
      throw unavailable(error)
    }
    return this
  }

  async append(channel: string, data: unknown): Promise<LogEvent> {
    this.assertOpen()
    assertChannelName(channel)
    const dataJson = serializePayload(data, this.maxPayloadBytes)
    const reply = await this.run(this.scripts.append, [this.keys.stream(channel)], [channel, dataJson, this.maxLength])
    const { epoch, seq } = parseHead(reply)
    return createEvent(channel, formatCursor(epoch, seq), data, dataJson)
  }

  async head(): Promise<string> {
    this.assertOpen()
    const { epoch, seq } = parseHead(await this.run(this.scripts.head, [], []))
    return formatCursor(epoch, seq)
  }

  async read(channels: readonly string[], after: string, options: ReadOptions = {}): Promise<ReadResult> {
    this.assertOpen()
    const names = uniqueChannels(channels)
    const position = parseCursor(after)
    const limit = Math.max(1, Math.floor(options.limit ?? DEFAULT_READ_LIMIT))
    const maxBytes = Math.max(1, options.maxBytes ?? DEFAULT_READ_MAX_BYTES)
    const reply = await this.run(
      this.scripts.read,
      names.map((channel) => this.keys.stream(channel)),
      [position.epoch, position.seq, limit, maxBytes, ...names],
    )
    return parseEvents(reply, names, limit, maxBytes)
  }

  async wait(channels: readonly string[], after: string, signal?: AbortSignal): Promise<void> {
    this.assertOpen()
    const names = uniqueChannels(channels)
    const position = parseCursor(after)
    if (signal?.aborted) throw aborted(signal)
    const reply = await this.run(
      this.scripts.check,
      names.map((channel) => this.keys.stream(channel)),
      [position.epoch, position.seq, ...names],
    )
    if (!Array.isArray(reply) || reply[0] !== 'wait') return
    this.assertOpen()
    if (signal?.aborted) throw aborted(signal)
    const { epoch, seq } = parseHead(reply.slice(1))
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.reader.remove(sub)
        this.waiters.delete(entry)
        reject(aborted(signal))
      }
      const sub = waiterSubscription(names, () => {
        signal?.removeEventListener('abort', onAbort)
        this.waiters.delete(entry)
        resolve()
      })
      const entry = {
        sub,
        reject: (error: unknown) => {
          signal?.removeEventListener('abort', onAbort)
          reject(error)
        },
      }
      sub.after = seq
      sub.epoch = epoch
      this.waiters.add(entry)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.reader.activate(sub)
    })
  }

  listen(channels: readonly string[], listener: LogListener): () => void {
    this.assertOpen()
    const sub = listenerSubscription(uniqueChannels(channels), listener)
    // The threshold is the head read on the command connection, so it is ordered with this process's appends.
    this.run(this.scripts.head, [], [])
      .then((reply) => {
        const { epoch, seq } = parseHead(reply)
        sub.after = seq
        sub.epoch = epoch
      })
      .catch(() => {
        sub.gap = true
      })
      .finally(() => this.reader.activate(sub))
    return () => this.reader.remove(sub)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const waiter of this.waiters) this.reader.remove(waiter.sub)
    await this.reader.close()
    this.command.disconnect()
    // Rejected last, in the same tick close() resolves: a caller that awaits close() before handling the
    // rejection of its pending wait() does not see an unhandled rejection.
    const error = CoreErrors.LogClosed.create('the event log is closed')
    for (const waiter of [...this.waiters]) waiter.reject(error)
    this.waiters.clear()
  }

  /** Local subscriptions and waiters, for tests and metrics. */
  stats(): { channels: number; subscriptions: number; waiters: number } {
    return { ...this.reader.stats(), waiters: this.waiters.size }
  }

  private async run(script: LuaScript, streams: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const keys = [this.keys.epoch, this.keys.seq, this.keys.control, this.keys.trimmed, ...streams]
    try {
      return await script.run(this.command, keys, [newEpoch(), this.maxAgeMs, ...args])
    } catch (error) {
      throw unavailable(error)
    }
  }

  private assertOpen(): void {
    if (this.closed) throw CoreErrors.LogClosed.create('the event log is closed')
  }
}

/** Creates a RedisLog and waits until Redis answers. */
export async function createRedisLog(options: RedisLogOptions = {}): Promise<RedisLog> {
  return new RedisLog(options).connect()
}

function uniqueChannels(channels: readonly string[]): string[] {
  return [...new Set(channels.map(assertChannelName))]
}

function unavailable(error: unknown): PushlineError {
  if (isPushlineError(error)) return error
  const reason = error instanceof Error ? error.message : String(error)
  return CoreErrors.LogUnavailable.create(`the event log is unavailable (Redis: ${reason})`, { cause: error })
}

function aborted(signal: AbortSignal | undefined): PushlineError {
  return CoreErrors.LogAborted.create('the wait was aborted', { cause: signal?.reason })
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw CoreErrors.ConfigInvalid.create(`RedisLog option ${name} must be a non-negative number`)
  }
  return value
}
