import { CoreErrors } from '@pushline/core'

/**
 * The Redis keys of one log namespace. Every key carries the namespace as a hash tag (`{ns}`), so in a Redis
 * Cluster a namespace lives on one shard: the scripts touch several of its keys atomically and the reader's
 * XREAD names several of its streams, which Cluster only allows within one slot. Namespaces spread over shards.
 */
export interface LogKeys {
  /** String: the epoch (history id); created atomically when missing, so a flushed Redis starts a new history. */
  readonly epoch: string
  /** String counter: the last sequence assigned, one sequence across every channel of the namespace. */
  readonly seq: string
  /** Hash channel -> highest sequence ever trimmed from that channel's stream (the retention low-water mark). */
  readonly trimmed: string
  /** Stream with one entry per epoch creation: wakes every reader at once when the history changes. */
  readonly control: string
  /** The stream of one channel; entry ids are `<seq>-0`. */
  stream(channel: string): string
  /** A reader's private wake-up stream (one per process and namespace). */
  wake(readerId: string): string
  /** SCAN pattern matching every key of the namespace (tests, tooling). */
  readonly pattern: string
}

const NAMESPACE_RE = /^[A-Za-z0-9_.:@/-]{1,64}$/

export function logKeys(prefix: string, namespace: string): LogKeys {
  if (!NAMESPACE_RE.test(namespace) || !NAMESPACE_RE.test(prefix)) {
    throw CoreErrors.ConfigInvalid.create('RedisLog prefix and namespace must be 1-64 letters, digits or _ . : @ / - (no braces: they form the hash tag)')
  }
  const base = `${prefix}:{${namespace}}`
  return {
    epoch: `${base}:epoch`,
    seq: `${base}:seq`,
    trimmed: `${base}:trimmed`,
    control: `${base}:control`,
    stream: (channel) => `${base}:c:${channel}`,
    wake: (readerId) => `${base}:wake:${readerId}`,
    pattern: `${base}:*`,
  }
}
