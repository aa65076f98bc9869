import type { TransportName } from '@pushline/core/wire'
import type { FailureReason } from './reasons.js'

/** The subset of the Web Storage API the client uses; pass your own as `storage` (e.g. sessionStorage). */
export interface StorageLike {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

export interface Failure {
  readonly reason: FailureReason
  /** Epoch ms after which the failure is forgotten. */
  readonly until: number
}
export type Failures = Partial<Record<TransportName, Failure>>

export interface FailureMemory {
  read(now?: number): Failures
  remember(name: TransportName, reason: FailureReason, now?: number): void
  forget(name: TransportName): void
}

// Node has no localStorage: failures are remembered for the life of the process, shared by its clients.
const processMemory: Record<string, string> = {}
const inMemory: StorageLike = {
  getItem: (key) => processMemory[key] ?? null,
  setItem: (key, value) => {
    processMemory[key] = value
  },
}

/** localStorage where there is one that works (absent in Node, throwing in some sandboxes), else process memory. */
export function defaultStorage(): StorageLike {
  try {
    const storage = (globalThis as unknown as { localStorage: StorageLike }).localStorage
    storage.getItem('pushline')
    return storage
  } catch {
    return inMemory
  }
}

/**
 * Transport failures under one key (origin plus mount path: two mounts are two servers), read fresh every time
 * (another tab may have learned something) and pruned of the expired. Storage errors are ignored: memory is an
 * optimization, never a requirement.
 */
export function failureMemory(storage: StorageLike, key: string, ttlMs: number): FailureMemory {
  const write = (failures: Failures) => {
    try {
      storage.setItem(key, JSON.stringify(failures))
    } catch {}
  }
  const read = (now = Date.now()) => {
    const live: Failures = {}
    try {
      const all = JSON.parse(storage.getItem(key) ?? '{}') as Failures
      for (const [name, failure] of Object.entries(all) as [TransportName, Failure][]) {
        if (failure?.until > now) live[name] = failure
      }
    } catch {}
    return live
  }
  return {
    read,
    remember: (name, reason, now = Date.now()) => write({ ...read(now), [name]: { reason, until: now + ttlMs } }),
    forget(name) {
      const failures = read()
      delete failures[name]
      write(failures)
    },
  }
}
