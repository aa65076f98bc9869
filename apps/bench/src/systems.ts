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
}

export function isSystemName(value: string): value is SystemName {
  return (SYSTEMS as readonly string[]).includes(value)
}
