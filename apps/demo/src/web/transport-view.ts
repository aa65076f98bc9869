import { TRANSPORT_NAMES, type TransportName } from '@pushline/core/wire'
import { byId, clock, el } from './dom.js'
import { urlWithTransports } from './params.js'
import type { DemoRecord, SwitchRecord } from './record.js'

const LABELS: Record<TransportName, string> = {
  websocket: 'WebSocket',
  sse: 'Server-Sent Events',
  ndjson: 'NDJSON stream',
  longpoll: 'Long-poll',
}

const REASONS: Record<string, string> = {
  negotiated: 'first choice',
  remembered: 'a better one failed here recently',
  upgrade: 'moved back up after a re-test',
  'ws-upgrade-refused': 'WebSocket upgrade refused',
  'ws-silent': 'WebSocket opened but stayed silent',
  'stream-buffered': 'a proxy buffers the stream',
  'stream-delayed': 'a proxy holds each frame until the next one',
  'heartbeat-lost': 'heartbeats stopped arriving',
  'idle-cut': 'a proxy cuts idle connections',
  'probe-timeout': 'no answer in time',
  'http-error': 'the endpoint answered an error',
}

/** The badge in the top bar: the transport in use, the connection state, and why the client last switched. */
export function renderBadge(record: DemoRecord): void {
  const badge = byId('badge')
  badge.dataset.transport = record.transport ?? ''
  badge.dataset.reason = record.reason
  badge.dataset.state = record.error ? 'error' : record.state
  // Events flow before the client has settled (a long-poll bridge carries them while better transports prove
  // themselves): say so rather than "connecting".
  const name = record.transport ? LABELS[record.transport] : record.state === 'connected' ? 'choosing a transport…' : 'connecting…'
  byId('badge-transport').textContent = record.state === 'reconnecting' ? `${name} (reconnecting)` : name
  const reason = record.error ?? (record.reason ? `${record.reason} — ${REASONS[record.reason] ?? ''}` : '')
  byId('badge-reason').textContent = reason
  badge.title = reason ? `last switch: ${reason}` : ''
}

/** The transport history panel: one line per switch, newest first. */
export function appendSwitch(entry: SwitchRecord): void {
  const list = byId<HTMLOListElement>('switches')
  const to = LABELS[entry.name]
  const from = entry.previous ? LABELS[entry.previous] : 'start'
  list.prepend(
    el('li', { data: { name: entry.name, reason: entry.reason } }, [
      el('div', { class: 'switch-head' }, [
        el('time', { text: clock(new Date(entry.at)) }),
        el('span', { class: 'from', text: from }),
        el('span', { class: 'arrow', text: '→' }),
        el('strong', { text: to }),
      ]),
      el('div', { class: 'switch-reason' }, [el('code', { text: entry.reason }), ` ${REASONS[entry.reason] ?? ''}`]),
    ]),
  )
}

/**
 * The "transport order" select: automatic (the server's order), one transport forced, or a fallback chain.
 * Changing it reloads the page with `?transports=` and the last cursor, so nothing is missed across the reload.
 */
export function setupOrderSelect(current: readonly TransportName[] | undefined, lastCursor: () => string | null): void {
  const select = byId<HTMLSelectElement>('transport-order')
  const choices: [string, string][] = [
    ['', 'Automatic (server order)'],
    ...TRANSPORT_NAMES.map((name): [string, string] => [name, `${LABELS[name]} only`]),
    ['sse,longpoll', 'SSE, then long-poll'],
    ['ndjson,longpoll', 'NDJSON, then long-poll'],
  ]
  const value = current?.join(',') ?? ''
  if (!choices.some(([v]) => v === value)) choices.push([value, `Custom: ${current?.join(' → ')}`])
  select.replaceChildren(...choices.map(([v, label]) => new Option(label, v, false, v === value)))
  select.addEventListener('change', () => {
    const order = select.value ? (select.value.split(',') as TransportName[]) : undefined
    location.assign(urlWithTransports(order, lastCursor()))
  })
}
