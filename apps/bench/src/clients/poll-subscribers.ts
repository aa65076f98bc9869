import { HttpConn } from './raw-http.js'
import type { Closer } from './stream-subscribers.js'
import type { Subscription } from './tracker.js'

/**
 * Lean long-poll subscribers: one keep-alive connection each, the next poll sent as soon as a response ends.
 * Every loop is bounded by the subscriber's lifetime (closed when the worker ends) and a cap on consecutive errors.
 */

const MAX_ERRORS = 20

interface PollLoop {
  /** Path of the next poll. */
  next(): string
  /** Extra request headers of the next poll (CRLF-terminated lines). */
  headers?(): string
  /** The response head, before its body. */
  onHead?(status: number, head: string): void
  /**
   * A whole response; returns false to stop. `body` is the whole body with `wholeBody`, else only its last
   * `TAIL_BYTES` (where the cursors are): the events were scanned in place as they came.
   */
  onResponse(status: number, body: Buffer): boolean
  readonly wholeBody?: boolean
}

/** What a poll keeps of a body it does not need whole: room for any cursor at its end. */
const TAIL_BYTES = 256
const EMPTY: Buffer = Buffer.alloc(0)

/** The last TAIL_BYTES of `tail` followed by `buf[start..end)`. */
function tailOf(tail: Buffer, buf: Buffer, start: number, end: number): Buffer {
  if (end - start >= TAIL_BYTES) return Buffer.from(buf.subarray(end - TAIL_BYTES, end))
  const joined = Buffer.concat([tail, buf.subarray(start, end)])
  return joined.length > TAIL_BYTES ? joined.subarray(joined.length - TAIL_BYTES) : joined
}

function pollLoop(conn: HttpConn, sub: Subscription, loop: PollLoop): Closer {
  let closed = false
  let errors = 0
  const onHead = loop.onHead?.bind(loop)
  const poll = (): void => {
    if (closed) return
    // Events are scanned where they arrive; a body is copied only when the loop needs it whole.
    const chunks: Buffer[] | null = loop.wholeBody ? [] : null
    let tail: Buffer = EMPTY
    conn.request('GET', loop.next(), {
      onHead,
      onBody: (buf, start, end) => {
        sub.scan(buf, start, end)
        if (chunks) chunks.push(Buffer.from(buf.subarray(start, end)))
        else tail = tailOf(tail, buf, start, end)
      },
      onEnd(status) {
        const body = chunks ? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)) : tail
        if (status >= 400 && status !== 410) errors++
        else errors = 0
        if (errors < MAX_ERRORS && loop.onResponse(status, body)) poll()
        else sub.connected = false
      },
      onError() {
        sub.connected = false
      },
    }, undefined, loop.headers?.() ?? '')
  }
  poll()
  return {
    close() {
      closed = true
      sub.connected = false
      conn.close()
    },
  }
}

function pushlineCursorOf(body: Buffer): string | null {
  const at = body.lastIndexOf('"cursor":"')
  if (at < 0) return null
  const start = at + 10
  const end = body.indexOf(0x22, start)
  return end < 0 ? null : body.toString('latin1', start, end)
}

/**
 * pushline long-poll: a first poll without a cursor answers the current position at once; then poll after it, in
 * the runs answer format, as pushline's client does with a server that offers it (the markers and the final
 * cursor are found in either body).
 */
export async function pushlineLongpoll(port: number, sub: Subscription): Promise<Closer> {
  const conn = await HttpConn.open(port)
  const first = await conn.fetch('GET', '/rt/poll?channel=bench')
  let cursor = first.status === 200 ? pushlineCursorOf(first.body) : null
  if (cursor === null) {
    conn.close()
    throw new Error(`pushline long-poll: first poll answered ${first.status} ${first.body.toString().slice(0, 200)}`)
  }
  sub.connected = true
  return pollLoop(conn, sub, {
    next: () => `/rt/poll?channel=bench&format=runs&cursor=${encodeURIComponent(cursor!)}`,
    onResponse(status, body) {
      // 200: events, 410: reset (resume where it says); 204: the hold expired, same cursor.
      if (status === 200 || status === 410) cursor = pushlineCursorOf(body) ?? cursor
      return true
    },
  })
}

/** The plain long-poll server: cursors are sequence numbers. */
export async function longpollPlain(port: number, sub: Subscription): Promise<Closer> {
  const conn = await HttpConn.open(port)
  const first = await conn.fetch('GET', '/poll')
  const cursorOf = (body: Buffer): number => Number(/"cursor":(\d+)\}$/.exec(body.toString('latin1', Math.max(0, body.length - 40)))?.[1])
  let cursor = cursorOf(first.body)
  if (!Number.isFinite(cursor)) throw new Error(`long-poll: bad first answer ${first.status}`)
  sub.connected = true
  return pollLoop(conn, sub, {
    next: () => `/poll?cursor=${cursor}`,
    onResponse(status, body) {
      if (status === 200) cursor = cursorOf(body)
      return Number.isFinite(cursor)
    },
  })
}

/**
 * Nchan long-poll with `nchan_longpoll_multipart_response on` (every message waiting in one answer, multipart/mixed
 * when there are several): the position is the `Last-Modified` + `Etag` of the RESPONSE's head, for one message
 * and for several alike (seen with Debian's Nchan: the parts of a multipart answer carry only a Content-Type, and
 * the head carries the last message's id), sent back as `If-Modified-Since` + `If-None-Match`. The first poll waits
 * for the next message (`nchan_subscriber_first_message newest`); 304/408 mean the hold expired.
 * (An earlier version looked for the position in the last part's headers, found none, kept the old position and
 * asked for ever longer runs of the same messages again: the "loss" it showed was the harness's.)
 */
export async function nchanLongpoll(port: number, sub: Subscription): Promise<Closer> {
  const conn = await HttpConn.open(port)
  let since = ''
  let etag = ''
  sub.connected = true
  const field = (text: string, name: string): string => {
    const at = text.toLowerCase().lastIndexOf(`\n${name.toLowerCase()}: `)
    if (at < 0) return ''
    const end = text.indexOf('\r', at)
    return text.slice(at + name.length + 3, end < 0 ? undefined : end).trim()
  }
  return pollLoop(conn, sub, {
    next: () => '/sub',
    headers: () => (since ? `If-Modified-Since: ${since}\r\nIf-None-Match: ${etag}\r\n` : ''),
    onHead(status, head) {
      if (status !== 200) return
      since = field(head, 'Last-Modified') || since
      etag = field(head, 'Etag') || etag
    },
    onResponse(status) {
      return status === 200 || status === 304 || status === 408
    },
  })
}

/**
 * socket.io long-polling, engine.io protocol 4: GET answers packets joined by 0x1e; `0{sid}` opens, a POST of `40`
 * connects the main namespace (answered `40{...}` in a later GET), `2` is a ping answered by POSTing `3`. POSTs go
 * on a second connection because the first always holds a pending GET. That one is opened when a POST is due and
 * closed once none is left: pings come every 25 s and node closes a keep-alive connection idle for 5 s, so a
 * browser's ping POST goes on a new connection too. Held open per subscriber, POST connections took 20,000
 * descriptors at N = 10,000, the hard limit here (EMFILE, 2026-12-07).
 */
export async function socketioPolling(port: number, sub: Subscription): Promise<Closer> {
  const getConn = await HttpConn.open(port)
  const base = '/socket.io/?EIO=4&transport=polling'
  const open = await getConn.fetch('GET', base)
  const text = open.body.toString()
  if (open.status !== 200 || text[0] !== '0') throw new Error(`socket.io polling: open answered ${open.status} ${text.slice(0, 200)}`)
  const sid = (JSON.parse(text.slice(1).split('\x1e')[0]!) as { sid: string }).sid
  const withSid = `${base}&sid=${encodeURIComponent(sid)}`
  const posts: string[] = []
  let postConn: HttpConn | undefined
  let opening = false
  let stopped = false
  let retries = 0
  const post = (body: string): void => {
    posts.push(body)
    drainPosts()
  }
  // One POST at a time, in order. A POST whose connection closed under it goes again on a new one, up to 3 times in a
  // row; a connection that cannot be opened leaves the POSTs queued until the next one is due.
  const drainPosts = (): void => {
    if (stopped || opening || posts.length === 0) return
    if (postConn === undefined || postConn.closed) {
      opening = true
      HttpConn.open(port).then(
        (conn) => {
          opening = false
          if (stopped) conn.close()
          else {
            postConn = conn
            drainPosts()
          }
        },
        () => {
          opening = false
        },
      )
      return
    }
    if (postConn.busy) return
    const body = posts.shift()!
    const conn = postConn
    conn.request(
      'POST',
      withSid,
      {
        onEnd: () => {
          retries = 0
          if (posts.length === 0 && conn === postConn) {
            conn.close()
            postConn = undefined
          } else drainPosts()
        },
        onError: () => {
          if (conn !== postConn || !conn.closed || retries++ >= 3) return
          posts.unshift(body)
          drainPosts()
        },
      },
      body,
    )
  }
  post('40')
  return new Promise((resolve, reject) => {
    let ready = false
    const timer = setTimeout(() => {
      loop.close()
      stopped = true
      postConn?.close()
      reject(new Error('socket.io polling: no namespace connect'))
    }, 15_000)
    const loop = pollLoop(getConn, sub, {
      wholeBody: true,
      next: () => withSid,
      onResponse(status, body) {
        if (status !== 200) return false
        // Control packets are short; scan packet starts only.
        let start = 0
        for (let guard = 0; guard <= body.length && start <= body.length; guard++) {
          let end = body.indexOf(0x1e, start)
          if (end < 0) end = body.length
          const type = body[start]
          if (type === 0x32 && end - start === 1) post('3')
          else if (type === 0x34 && body[start + 1] === 0x30 && !ready) {
            ready = true
            clearTimeout(timer)
            sub.connected = true
            resolve(closer)
          } else if (type === 0x31) return false
          start = end + 1
        }
        return true
      },
    })
    const closer: Closer = {
      close() {
        loop.close()
        stopped = true
        postConn?.close()
      },
    }
  })
}
