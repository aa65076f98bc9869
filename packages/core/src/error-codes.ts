import { type ErrorDeclaration, ErrorKind } from './errors.js'

// Apart from errors.ts, so that a bundle needing only PushlineError (the browser client) leaves the table out.
const kind = (declaration: ErrorDeclaration): ErrorKind => new ErrorKind(declaration)

/** Every error the core package raises, in the order of docs/errors.md (a test keeps the two the same). */
export const CoreErrors = {
  CursorMalformed: kind({
    code: 'RT_ERR_CURSOR_MALFORMED',
    status: 400,
    message: 'malformed cursor',
    meaning: 'the cursor is not one this protocol issues',
  }),
  ChannelInvalid: kind({
    code: 'RT_ERR_CHANNEL_INVALID',
    status: 400,
    message: 'invalid channel name',
    meaning: 'invalid channel name, or no channel',
  }),
  PayloadInvalid: kind({
    code: 'RT_ERR_PAYLOAD_INVALID',
    status: 400,
    message: 'event data must be a JSON value',
    meaning: 'event data is not a JSON value',
  }),
  PayloadTooLarge: kind({
    code: 'RT_ERR_PAYLOAD_TOO_LARGE',
    status: 413,
    message: 'event data is too large',
    meaning: 'serialized event data is over the limit',
  }),
  PayloadSchema: kind({
    code: 'RT_ERR_PAYLOAD_SCHEMA',
    status: 400,
    message: 'data does not match the channel schema',
    meaning: "data does not match the channel's schema",
  }),
  LogClosed: kind({ code: 'RT_ERR_LOG_CLOSED', status: 503, message: 'the event log is closed', meaning: 'the log was closed' }),
  LogAborted: kind({
    code: 'RT_ERR_LOG_ABORTED',
    status: 499,
    message: 'the wait was aborted',
    meaning: 'a wait was aborted (internal)',
  }),
  LogUnavailable: kind({
    code: 'RT_ERR_LOG_UNAVAILABLE',
    status: 503,
    message: 'the event log failed',
    meaning: "the log's backend failed",
  }),
  ConfigInvalid: kind({
    code: 'RT_ERR_CONFIG_INVALID',
    status: 500,
    message: 'invalid options',
    meaning: 'invalid options for a log or the plugin',
  }),
} as const satisfies Record<string, ErrorKind>

type CoreErrorName = keyof typeof CoreErrors

/** The codes raised by the core package (derived from `CoreErrors`). Server and client packages add their own areas. */
export const CoreErrorCode = Object.fromEntries(Object.entries(CoreErrors).map(([name, declared]) => [name, declared.code])) as {
  readonly [Name in CoreErrorName]: (typeof CoreErrors)[Name]['code']
}
export type CoreErrorCode = (typeof CoreErrorCode)[CoreErrorName]
