// Frames that need nothing but the language: safe in browsers. The byte frames (NDJSON, SSE, WebSocket) use Node's
// Buffer and live in `./node.js`, exported only by the package's `node` entry.
export { cachedEncoder, createEvent, eventJson } from './event-json.js'
export { longpollBatch, longpollCompactBatch, longpollRunsBatch } from './longpoll.js'
