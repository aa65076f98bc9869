import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { nextLocalAddress } from './local-address.js'

/**
 * A lean WebSocket client for the load workers: raw `net`, the RFC 6455 upgrade, and a frame parser that hands over
 * payload bytes in place (no copy, no UTF-8 decode) — the `ws` client would spend more CPU per frame than the
 * servers under test. Answers pings; sends masked text frames; no extensions.
 */
export interface WsHandlers {
  /** Payload bytes of one frame (or fragment), `buf[start..end)`, valid only during the call. */
  onMessage(buf: Buffer, start: number, end: number, opcode: number, ws: RawWebSocket): void
  onClose?(): void
}

const CRLF2 = Buffer.from('\r\n\r\n')

export class RawWebSocket {
  private pending: Buffer | null = null
  private open = true

  private constructor(
    private readonly socket: Socket,
    private readonly handlers: WsHandlers,
    rest: Buffer,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('close', () => {
      this.open = false
      handlers.onClose?.()
    })
    socket.on('error', () => socket.destroy())
    if (rest.length > 0) this.onData(rest)
  }

  static connect(port: number, path: string, handlers: WsHandlers, timeoutMs = 10_000): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress: nextLocalAddress() })
      socket.setNoDelay(true)
      let head = Buffer.alloc(0)
      const timer = setTimeout(() => fail(new Error('WebSocket handshake timed out')), timeoutMs)
      const fail = (error: Error): void => {
        clearTimeout(timer)
        socket.destroy()
        reject(error)
      }
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk])
        const end = head.indexOf(CRLF2)
        if (end < 0) return
        socket.off('data', onData)
        socket.off('error', fail)
        clearTimeout(timer)
        const status = head.toString('latin1', 9, 12)
        if (status !== '101') {
          socket.destroy()
          reject(new Error(`WebSocket upgrade refused: ${head.toString('latin1', 0, Math.min(end, 200))}`))
          return
        }
        resolve(new RawWebSocket(socket, handlers, head.subarray(end + 4)))
      }
      socket.on('data', onData)
      socket.once('error', fail)
      socket.once('connect', () => {
        const key = randomBytes(16).toString('base64')
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        )
      })
    })
  }

  get isOpen(): boolean {
    return this.open
  }

  sendText(text: string): void {
    this.sendFrame(0x1, Buffer.from(text))
  }

  close(): void {
    this.open = false
    this.socket.destroy()
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    if (!this.open) return
    const length = payload.length
    const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10
    const frame = Buffer.allocUnsafe(headerLength + 4 + length)
    frame[0] = 0x80 | opcode
    if (length < 126) frame[1] = 0x80 | length
    else if (length < 65_536) {
      frame[1] = 0x80 | 126
      frame.writeUInt16BE(length, 2)
    } else {
      frame[1] = 0x80 | 127
      frame.writeBigUInt64BE(BigInt(length), 2)
    }
    const mask = randomBytes(4)
    mask.copy(frame, headerLength)
    for (let i = 0; i < length; i++) frame[headerLength + 4 + i] = payload[i]! ^ mask[i & 3]!
    this.socket.write(frame)
  }

  private onData(chunk: Buffer): void {
    let buf = chunk
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk])
      this.pending = null
    }
    let pos = 0
    // Bounded: each pass consumes one whole frame or stops.
    while (pos + 2 <= buf.length) {
      const opcode = buf[pos]! & 0x0f
      let length = buf[pos + 1]! & 0x7f
      let header = 2
      if (length === 126) {
        if (pos + 4 > buf.length) break
        length = buf.readUInt16BE(pos + 2)
        header = 4
      } else if (length === 127) {
        if (pos + 10 > buf.length) break
        length = Number(buf.readBigUInt64BE(pos + 2))
        header = 10
      }
      const start = pos + header
      const end = start + length
      if (end > buf.length) break
      if (opcode === 0x9) this.sendFrame(0xa, Buffer.from(buf.subarray(start, end)))
      else if (opcode === 0x8) {
        this.close()
        return
      } else if (opcode !== 0xa) this.handlers.onMessage(buf, start, end, opcode, this)
      pos = end
    }
    if (pos < buf.length) this.pending = Buffer.from(buf.subarray(pos))
  }
}
