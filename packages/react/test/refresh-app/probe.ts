import type { channels } from '../app/channels.js'

declare module '@pushline/react' {
  interface Register {
    channels: typeof channels
  }
}

/** What the test reads from the page; kept on window so that a full reload (not wanted) would show as a new load. */
export interface Probe {
  readonly received: number[]
  effects: number
  readonly loadId: number
  readonly startCursor: string | undefined
}

const existing = (window as { __probe?: Probe }).__probe
export const probe: Probe = existing ?? {
  received: [],
  effects: 0,
  loadId: Math.random(),
  startCursor: new URLSearchParams(location.search).get('cursor') ?? undefined,
}
Object.assign(window, { __probe: probe })
