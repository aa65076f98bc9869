/**
 * A frame that carries the server's clock (`time`), built at most once per millisecond and shared by every stream
 * written in it: a heartbeat tick writes one buffer to thousands of connections, as before it had a constant.
 */
export function perMillisecond(build: (now: number) => Buffer): (now: number) => Buffer {
  let at = Number.NaN
  let bytes: Buffer = Buffer.alloc(0)
  return (now) => {
    if (now !== at) {
      at = now
      bytes = build(now)
    }
    return bytes
  }
}
