// The byte frames of the streaming transports, as Node Buffers: what the server writes to its sockets. Only the
// package's `node` entry (`src/node.ts`) exports them, so browser bundles and browser-only type checks never see
// `Buffer`.
export { NDJSON_HEARTBEAT, ndjsonEvent, ndjsonFrame } from './ndjson.js'
export { SSE_HEARTBEAT, sseEvent, sseFrame, sseRetry } from './sse.js'
export { wsEvent, wsFrame } from './websocket.js'
