/** The systems issue 7 compares, in the order tables list them. */
export const SYSTEMS = [
  'pushline-websocket',
  'pushline-sse',
  'pushline-ndjson',
  'pushline-longpoll',
  'socketio-websocket',
  'socketio-polling',
  'sockjs-xhr-streaming',
  'ws-plain',
  'ws-coalesced',
  'sse-plain',
  'longpoll-plain',
  'nchan-websocket',
  'nchan-sse',
  'nchan-longpoll',
] as const
export type SystemName = (typeof SYSTEMS)[number]

export interface SystemSpec {
  /** Server script in dist/servers/ and its arguments; one server process per system run. */
  readonly server: { readonly script: string; readonly args: readonly string[] }
  /** How the publisher publishes one payload (a JSON text). */
  readonly publishPath: string
  readonly publishBody: (payload: string) => string
}

const raw = (payload: string): string => payload
const peer = (script: string, ...args: string[]): SystemSpec => ({
  server: { script, args },
  publishPath: '/publish',
  publishBody: raw,
})
const pushline: SystemSpec = {
  server: { script: 'pushline.js', args: [] },
  publishPath: '/rt/publish',
  publishBody: (payload) => `{"channel":"bench","data":${payload}}`,
}

const NCHAN = peer('nchan.js')

export const SYSTEM_SPECS: Record<SystemName, SystemSpec> = {
  'pushline-websocket': pushline,
  'pushline-sse': pushline,
  'pushline-ndjson': pushline,
  'pushline-longpoll': pushline,
  'socketio-websocket': peer('socketio.js', 'websocket'),
  'socketio-polling': peer('socketio.js', 'polling'),
  'sockjs-xhr-streaming': peer('sockjs.js'),
  'ws-plain': peer('ws-plain.js'),
  'ws-coalesced': peer('ws-coalesced.js'),
  'sse-plain': peer('sse-plain.js'),
  'longpoll-plain': peer('longpoll-plain.js'),
  'nchan-websocket': NCHAN,
  'nchan-sse': NCHAN,
  'nchan-longpoll': NCHAN,
}

export function isSystemName(value: string): value is SystemName {
  return (SYSTEMS as readonly string[]).includes(value)
}

/**
 * Where the full run's search starts, events/s at N=1,000 (deliveries/s = rate x N): near what each system sustained
 * in the full run of 2026-12-02 02:35 on this 2-core machine, so the doubling brackets the limit in a step or two and
 * the bisection does the rest. Only a starting point: the search snaps it to its grid and goes up or down from it.
 */
export const START_RATE: Record<SystemName, number> = {
  'pushline-websocket': 2000,
  'pushline-sse': 2000,
  'pushline-ndjson': 2000,
  'pushline-longpoll': 1000,
  'socketio-websocket': 50,
  'socketio-polling': 25,
  'sockjs-xhr-streaming': 200,
  'ws-plain': 60,
  'ws-coalesced': 2000,
  'sse-plain': 400,
  'longpoll-plain': 2000,
  'nchan-websocket': 100,
  'nchan-sse': 20,
  'nchan-longpoll': 100,
}

/** Every system has the in-process publisher but those whose server is not a Node process. */
export function supportsLocalPublisher(system: SystemName): boolean {
  return !system.startsWith('nchan-')
}
