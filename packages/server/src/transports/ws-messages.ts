import type { PushlineError } from '@pushline/core'
import type { RawData } from 'ws'
import { z } from 'zod'
import { MAX_TOKEN_LENGTH } from '../auth/token.js'
import { ServerErrors } from '../errors.js'

const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), channels: z.array(z.unknown()), cursor: z.string().optional() }),
  z.object({ type: z.literal('publish'), id: z.string().min(1).max(128), channel: z.string(), data: z.unknown() }),
  // (extension) The credentials, as the connection's first message: a browser can set no header on a WebSocket.
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(MAX_TOKEN_LENGTH) }),
])

/** What a client may send over the WebSocket (protocol 1). */
export type ClientMessage = z.infer<typeof clientMessage>

/** One WebSocket message as a client message; throws 400 RT_ERR_WS_MESSAGE_INVALID for anything else. */
export function parseClientMessage(data: RawData, isBinary: boolean): ClientMessage {
  if (isBinary) throw invalidMessage('binary frames are not part of protocol 1')
  const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)).toString()
  const parsed = clientMessage.safeParse(parseJson(text))
  if (!parsed.success) throw invalidMessage('expected {"type":"subscribe",...}, {"type":"publish",...} or a first {"type":"auth","token":"..."}')
  return parsed.data
}

export function invalidMessage(message: string): PushlineError {
  return ServerErrors.WsMessageInvalid.create(message)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw invalidMessage('messages must be JSON text')
  }
}
