import { TRANSPORT_NAMES, type TransportName } from '@pushline/core/wire'

/** What the page reads from its URL, so that any state worth sharing (or testing) is a link. */
export interface PageParams {
  /** `?transports=sse,longpoll`: the order the client tries; undefined = the server's order. */
  readonly transports: readonly TransportName[] | undefined
  /** `?watch=load/a&watch=load/b`: load channels to subscribe to and check (see the /demo/ load publisher). */
  readonly watch: readonly LoadChannel[]
  /** `?cursor=<cursor>`: resume from there instead of "from now". */
  readonly cursor: string | undefined
  /** `?name=alice`: the chat name (else the one remembered, else a random guest). */
  readonly name: string | undefined
  /** `?upgradeMs=10000`: how often the client re-tests a better transport (the client's default is 60 s). */
  readonly upgradeMs: number | undefined
}

export type LoadChannel = `load/${string}`
const isLoadChannel = (c: string): c is LoadChannel => c.startsWith('load/') && c.length > 'load/'.length

export function readParams(search: string = location.search): PageParams {
  const query = new URLSearchParams(search)
  const listed = (query.get('transports') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is TransportName => (TRANSPORT_NAMES as readonly string[]).includes(s))
  return {
    transports: listed.length > 0 ? [...new Set(listed)] : undefined,
    watch: query.getAll('watch').filter(isLoadChannel),
    cursor: query.get('cursor') || undefined,
    name: query.get('name') || undefined,
    upgradeMs: positiveInt(query.get('upgradeMs')),
  }
}

/** The same page with another transport order, resuming at `cursor` so that switching loses nothing. */
export function urlWithTransports(order: readonly TransportName[] | undefined, cursor: string | null): string {
  const url = new URL(location.href)
  if (order) url.searchParams.set('transports', order.join(','))
  else url.searchParams.delete('transports')
  if (cursor) url.searchParams.set('cursor', cursor)
  return url.href
}

function positiveInt(value: string | null): number | undefined {
  const n = Number(value)
  return value && Number.isSafeInteger(n) && n > 0 ? n : undefined
}
