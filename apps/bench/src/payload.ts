/**
 * The published payload: ~100 bytes of JSON whose marker `#<seq>@<sentUs>#` carries the sequence number and the
 * send time. `#`, `@` and digits are escaped by no peer's encoding (socket.io, sockjs's double JSON, SSE, NDJSON),
 * so load clients find it in any transport's bytes. Time is wall-clock microseconds from `performance`, comparable
 * across the processes of one machine.
 */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000)
}

const PAD = 'x'.repeat(100)

/** `{"m":"#<seq>@<sentUs>#","p":"xxx…"}`, padded to 100 bytes. */
export function payload(seq: number, sentUs: number = nowUs()): string {
  const head = `{"m":"#${seq}@${sentUs}#","p":"`
  return `${head}${PAD.slice(0, Math.max(0, 100 - head.length - 2))}"}`
}
