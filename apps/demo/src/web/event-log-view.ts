import type { ResetInfo } from '@pushline/client'
import type { LogEvent } from '@pushline/core/wire'
import { byId, clock, el, scheduler } from './dom.js'
import type { DemoRecord } from './record.js'

const MAX_ROWS = 150

/**
 * The event log: the latest events with their cursors (newest first), counters, and the progress of every
 * watched channel. Rendering is batched per frame so that thousands of events a second cost a few repaints.
 */
export interface EventLogView {
  add(event: LogEvent): void
  reset(reset: ResetInfo): void
  /** Re-renders the counters and the watched channels (e.g. one just got positioned). */
  refresh(): void
}

export function createEventLogView(record: DemoRecord): EventLogView {
  const rows = byId<HTMLTableSectionElement>('event-rows')
  const stats = byId('stats')
  const watched = byId('watched')
  let pending: { at: Date; event?: LogEvent; reset?: ResetInfo }[] = []
  const arrivals: number[] = []

  const render = (): void => {
    const fresh = pending.slice(-MAX_ROWS).reverse()
    pending = []
    const fragment = document.createDocumentFragment()
    for (const { at, event, reset } of fresh) fragment.append(event ? eventRow(at, event) : resetRow(at, reset!))
    rows.prepend(fragment)
    while (rows.children.length > MAX_ROWS) rows.lastElementChild?.remove()

    const now = performance.now()
    while (arrivals.length > 0 && arrivals[0]! < now - 1000) arrivals.shift()
    stats.replaceChildren(
      stat('events', record.events.toLocaleString()),
      stat('per second', arrivals.length.toLocaleString()),
      stat('resets', String(record.resets.length)),
      stat('cursor', record.lastCursor ?? '—', 'cursor-value'),
    )
    watched.replaceChildren(
      ...Object.entries(record.watched).map(([channel, w]) => {
        const ok = w.duplicates === 0 && w.outOfOrder === 0
        return el('div', { class: ok ? 'watch ok' : 'watch bad', data: { channel } }, [
          el('code', { text: channel }),
          el('span', { text: `${w.received.length.toLocaleString()} received` }),
          el('span', { text: `last n=${w.received[w.received.length - 1] ?? '—'}` }),
          el('span', { text: ok ? 'in order, no duplicates' : `${w.duplicates} duplicates, ${w.outOfOrder} out of order` }),
          el('span', {
            class: 'ready',
            text: w.ready ? `ready after ${w.ready.afterMs} ms` : 'positioning…',
            ...(w.ready ? { title: `start cursor ${w.ready.cursor}` } : {}),
          }),
        ])
      }),
    )
  }
  const schedule = scheduler(render)
  schedule()

  return {
    add(event) {
      arrivals.push(performance.now())
      if (arrivals.length > 20_000) arrivals.splice(0, 10_000)
      pending.push({ at: new Date(), event })
      if (pending.length > MAX_ROWS * 4) pending = pending.slice(-MAX_ROWS)
      schedule()
    },
    reset(reset) {
      pending.push({ at: new Date(), reset })
      schedule()
    },
    refresh: schedule,
  }
}

function stat(label: string, value: string, valueClass = ''): HTMLElement {
  return el('div', { class: 'stat' }, [el('span', { class: 'label', text: label }), el('span', { class: `value ${valueClass}`, text: value })])
}

function eventRow(at: Date, event: LogEvent): HTMLTableRowElement {
  const json = JSON.stringify(event.data)
  return el('tr', {}, [
    el('td', { class: 'time', text: clock(at) }),
    el('td', {}, [el('span', { class: `chip ${chipClass(event.channel)}`, text: event.channel })]),
    el('td', { class: 'cursor', text: event.cursor }),
    el('td', { class: 'data', text: json.length > 90 ? `${json.slice(0, 89)}…` : json, title: json }),
  ])
}

function resetRow(at: Date, reset: ResetInfo): HTMLTableRowElement {
  return el('tr', { class: 'reset-row' }, [
    el('td', { class: 'time', text: clock(at) }),
    el('td', {}, [el('span', { class: 'chip chip-reset', text: 'reset' })]),
    el('td', { class: 'cursor', text: reset.cursor }),
    el('td', { class: 'data', text: `history ${reset.reason}: resumed from the oldest retained event` }),
  ])
}

function chipClass(channel: string): string {
  if (channel === 'ticker' || channel === 'chat') return `chip-${channel}`
  return 'chip-other'
}
