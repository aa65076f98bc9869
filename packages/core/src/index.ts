// The browser-safe entry: no Node globals in code or declarations. Node resolves the package to `node.ts` instead,
// which adds the Buffer frames the server writes (see the `exports` of package.json).
export { type ChannelData, type ChannelName, type ChannelSchemas, defineChannels, isDeclared, schemaFor, validateChannelData } from './channels.js'
export { type CursorPosition, cursorSeq, formatCursor, isCursor, newEpoch, parseCursor } from './cursor.js'
export { CoreErrorCode, CoreErrors } from './error-codes.js'
export {
  type ErrorDeclaration,
  ErrorKind,
  type HttpShape,
  isPushlineError,
  PushlineError,
  type WsShape,
} from './errors.js'
export type { EventBatch, LogEvent, ReadResult, Reset, ResetReason } from './event.js'
export { type Follower, type FollowHandlers, type FollowOptions, follow } from './follow.js'
export * from './frames/index.js'
export type { EventLog, LogListener, ReadOptions } from './log.js'
export { MemoryLog, type MemoryLogOptions } from './memory-log.js'
export {
  assertChannelName,
  assertChannelNames,
  channelNameSchema,
  DEFAULT_MAX_PAYLOAD_BYTES,
  serializePayload,
} from './validation.js'
export { WaiterRegistry } from './waiters.js'
export * from './wire.js'
