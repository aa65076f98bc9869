import { connect, type Socket } from 'node:net'
import { nextLocalAddress } from './local-address.js'

/**
 * A lean HTTP/1.1 client connection for the load workers and the HTTP publisher: one keep-alive socket, the response
 * body handed over as it arrives (content-length, chunked or until close), with chunked framing removed. One request
 * at a time, unless opened `pipelined`: then requests queue behind each other and their responses are read in order.
 * A full client (undici, node:http) costs more CPU per response than the servers under test spend producing it.
 */
export interface ResponseHandlers {
  onHead?(status: number, headers: string): void
  /** Body bytes `buf[start..end)`, valid only during the call. */
  onBody?(buf: Buffer, start: number, end: number): void
  onEnd?(status: number): void
  onError?(error: Error): void
}

// Parser states (plain numbers: the hot loop switches on them).
const Mode = { Idle: 0, Head: 1, Length: 2, ChunkSize: 3, ChunkData: 4, ChunkCrlf: 5, UntilClose: 6 } as const

const CRLF2 = Buffer.from('\r\n\r\n')

export class HttpConn {
  private readonly socket: Socket
  private mode: number = Mode.Idle
  private head: Buffer | null = null
  private remaining = 0
  /** The chunk-size line being read: its hex value so far, and whether its digits ended (`;` extension or CR). */
  private size = 0
  private sizeDone = false
  private status = 0
  private handlers: ResponseHandlers = {}
  /** Pipelined requests sent behind the one being read, oldest first. */
  private readonly queued: ResponseHandlers[] = []
  private closedError: Error | null = null

  private constructor(
    socket: Socket,
    private readonly host: string,
    private readonly pipelined: boolean,
  ) {
    this.socket = socket
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (error) => this.fail(error))
    socket.on('close', () => {
      if (this.mode === Mode.UntilClose) this.finish()
      else this.fail(new Error('connection closed'))
    })
  }

  static open(port: number, timeoutMs = 10_000, pipelined = false): Promise<HttpConn> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress: nextLocalAddress() })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error('connect timed out'))
      }, timeoutMs)
      socket.once('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.removeAllListeners('error')
        resolve(new HttpConn(socket, `127.0.0.1:${port}`, pipelined))
      })
    })
  }

  get busy(): boolean {
    return this.mode !== Mode.Idle
  }

  get closed(): boolean {
    return this.closedError !== null
  }

  request(
    method: string,
    path: string,
    handlers: ResponseHandlers,
    body?: string,
    headers = '',
    contentType = 'text/plain;charset=UTF-8',
  ): void {
    if (this.closedError) {
      handlers.onError?.(this.closedError)
      return
    }
    if (this.mode === Mode.Idle) {
      this.handlers = handlers
      this.mode = Mode.Head
      this.head = null
    } else if (this.pipelined) this.queued.push(handlers)
    else throw new Error('one request at a time on a connection')
    const length = body === undefined ? '' : `Content-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`
    this.socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${this.host}\r\n${length}${headers}\r\n${body ?? ''}`)
  }

  /** Runs `send` with the socket corked: the requests it makes leave in one write. */
  batch(send: () => void): void {
    this.socket.cork()
    try {
      send()
    } finally {
      this.socket.uncork()
    }
  }

  /** Resolves with the status and whole body of one request. */
  fetch(method: string, path: string, body?: string, headers = ''): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      this.request(
        method,
        path,
        {
          onBody: (buf, start, end) => chunks.push(Buffer.from(buf.subarray(start, end))),
          onEnd: (status) => resolve({ status, body: Buffer.concat(chunks) }),
          onError: reject,
        },
        body,
        headers,
      )
    })
  }

  close(): void {
    this.closedError ??= new Error('closed by the client')
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    let pos = 0
    // Bounded: every pass consumes at least one byte or returns.
    while (pos < chunk.length) {
      switch (this.mode) {
        case Mode.Idle:
          return
        case Mode.Head: {
          const data = this.head ? Buffer.concat([this.head, chunk.subarray(pos)]) : chunk.subarray(pos)
          const end = data.indexOf(CRLF2)
          if (end < 0) {
            this.head = Buffer.from(data)
            return
          }
          this.head = null
          const headText = data.toString('latin1', 0, end)
          const consumedFromChunk = end + 4 - (data.length - (chunk.length - pos))
          pos += consumedFromChunk
          this.startBody(headText)
          break
        }
        case Mode.Length: {
          const take = Math.min(this.remaining, chunk.length - pos)
          this.handlers.onBody?.(chunk, pos, pos + take)
          pos += take
          this.remaining -= take
          if (this.remaining === 0) this.finish()
          break
        }
        case Mode.ChunkSize: {
          // Hex digits straight from the bytes (no string per chunk); the line may be split across reads.
          let c = -1
          while (pos < chunk.length) {
            c = chunk[pos++]!
            if (c === 10) break
            const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1
            if (digit < 0) this.sizeDone = true
            else if (!this.sizeDone) this.size = this.size * 16 + digit
          }
          if (c !== 10) return
          const size = this.size
          this.size = 0
          this.sizeDone = false
          if (size === 0) {
            // Trailer section: the last chunk is followed by an empty line.
            this.mode = Mode.ChunkCrlf
            this.remaining = -1
          } else {
            this.remaining = size
            this.mode = Mode.ChunkData
          }
          break
        }
        case Mode.ChunkData: {
          const take = Math.min(this.remaining, chunk.length - pos)
          this.handlers.onBody?.(chunk, pos, pos + take)
          pos += take
          this.remaining -= take
          if (this.remaining === 0) {
            this.mode = Mode.ChunkCrlf
            this.remaining = 2
          }
          break
        }
        case Mode.ChunkCrlf: {
          const nl = chunk.indexOf(10, pos)
          if (nl < 0) return
          pos = nl + 1
          if (this.remaining === -1) this.finish()
          else this.mode = Mode.ChunkSize
          break
        }
        case Mode.UntilClose:
          this.handlers.onBody?.(chunk, pos, chunk.length)
          return
      }
    }
  }

  private startBody(headText: string): void {
    this.status = Number(headText.slice(9, 12))
    this.handlers.onHead?.(this.status, headText)
    const lower = headText.toLowerCase()
    const lengthMatch = /\r\ncontent-length:\s*(\d+)/.exec(lower)
    if (this.status === 204 || this.status === 304 || this.status === 101) {
      this.finish()
    } else if (lower.includes('\r\ntransfer-encoding: chunked')) {
      this.mode = Mode.ChunkSize
      this.size = 0
      this.sizeDone = false
    } else if (lengthMatch) {
      this.remaining = Number(lengthMatch[1])
      this.mode = Mode.Length
      if (this.remaining === 0) this.finish()
    } else {
      this.mode = Mode.UntilClose
    }
  }

  private finish(): void {
    const handlers = this.handlers
    const next = this.queued.shift()
    if (next) {
      // The next pipelined response follows in the same bytes: the read loop goes on with it.
      this.handlers = next
      this.mode = Mode.Head
      this.head = null
    } else {
      this.mode = Mode.Idle
      this.handlers = {}
    }
    handlers.onEnd?.(this.status)
  }

  private fail(error: Error): void {
    this.closedError ??= error
    const waiting = this.mode === Mode.Idle ? [] : [this.handlers, ...this.queued.splice(0)]
    this.handlers = {}
    this.mode = Mode.Idle
    for (const handlers of waiting) handlers.onError?.(error)
  }
}
