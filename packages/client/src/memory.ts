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

// Node has no localStorage: failures are remembered for the life of the process, shared by its clients.
const processMemory = new Map<string, string>()
const inMemory: StorageLike = {
  getItem: (key) => processMemory.get(key) ?? null,
  setItem: (key, value) => void processMemory.set(key, value),
}

/** localStorage where there is one that works (it throws in some private modes), else process memory. */
export function defaultStorage(): StorageLike {
  try {
    const storage = (globalThis as { localStorage?: StorageLike }).localStorage
    if (storage) {
      storage.getItem('pushline')
      return storage
    }
  } catch {
    // blocked storage: fall through
  }
  return inMemory
}

/** Failures per origin (plus path: two mounts on one origin are two servers), read fresh and pruned of the expired. */
export class FailureMemory {
  constructor(
    private readonly storage: StorageLike,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  read(now = Date.now()): Failures {
    let all: Failures = {}
    try {
      all = JSON.parse(this.storage.getItem(this.key) ?? '{}') as Failures
    } catch {
      // corrupt entry: start over
    }
    const live: Failures = {}
    for (const [name, failure] of Object.entries(all) as [TransportName, Failure][]) {
      if (failure && failure.until > now) live[name] = failure
    }
    return live
  }

  remember(name: TransportName, reason: FailureReason, now = Date.now()): void {
    this.write({ ...this.read(now), [name]: { reason, until: now + this.ttlMs } })
  }

  forget(name: TransportName): void {
    const failures = this.read()
    delete failures[name]
    this.write(failures)
  }

  private write(failures: Failures): void {
    try {
      this.storage.setItem(this.key, JSON.stringify(failures))
    } catch {
      // quota or blocked storage: memory is an optimization, never a requirement
    }
  }
}
