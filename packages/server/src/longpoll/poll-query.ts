import { LONGPOLL_FORMATS, type LongpollFormat } from '@pushline/core'
import type { FastifyRequest } from 'fastify'
import { badRequest } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import { parseSubscription, type Subscription } from '../subscription.js'

/** A poll's query, checked: what to read and how long it may be held. */
export interface PollQuery {
  readonly subscription: Subscription
  readonly holdMs: number
  /** `format=compact|runs`: the answer in that long-poll format (protocol 1 extensions); undefined: protocol 1's. */
  readonly format: LongpollFormat | undefined
}

/** Distinct poll URLs remembered before the memory is cleared (polls at one position share one). */
const MAX_QUERIES = 1024

/**
 * Checks a poll's query once per distinct URL (issue 15): every poll at one position on the same channels
 * sends the same URL, so the channel names, the cursor and `holdMs` are checked for the first of them and the
 * result handed to the rest. A query that fails its checks is not remembered (it throws every time). The checks
 * depend on the query and the plugin's options alone.
 */
export class PollQueries {
  private readonly known = new Map<string, PollQuery>()

  constructor(private readonly options: ResolvedOptions) {}

  of(request: FastifyRequest): PollQuery {
    // Keyed by the whole URL: the path is the route's, so the query alone tells them apart, without a slice per poll.
    const raw = request.url
    const known = this.known.get(raw)
    if (known) return known
    const query = {
      subscription: parseSubscription(request.query, this.options),
      holdMs: holdOf(request.query, this.options.holdMs),
      format: formatOf(request.query),
    }
    if (this.known.size >= MAX_QUERIES) this.known.clear()
    this.known.set(raw, query)
    return query
  }
}

const param = (query: unknown, name: string): unknown =>
  typeof query === 'object' && query !== null ? Reflect.get(query, name) : undefined

const isFormat = (value: unknown): value is LongpollFormat => LONGPOLL_FORMATS.some((format) => format === value)

function formatOf(query: unknown): LongpollFormat | undefined {
  const value = param(query, 'format')
  if (value === undefined || isFormat(value)) return value
  throw badRequest(`format must be one of ${LONGPOLL_FORMATS.map((f) => `"${f}"`).join(', ')} (or absent, for protocol 1's answer)`)
}

function holdOf(query: unknown, max: number): number {
  const value = param(query, 'holdMs')
  if (value === undefined) return max
  if (typeof value !== 'string' || !/^[0-9]{1,9}$/.test(value)) throw badRequest('holdMs must be a whole number of milliseconds')
  return Math.min(Number(value), max)
}
