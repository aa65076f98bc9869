/**
 * Why the client is on the transport it is on. Failure reasons move the client down the ladder and are remembered
 * for the origin; `negotiated`, `remembered` and `upgrade` name the other moves.
 */
export type FailureReason =
  /** The WebSocket handshake failed: upgrade refused, 400/404 on the URL, Upgrade header stripped, error before open. */
  | 'ws-upgrade-refused'
  /** The WebSocket opened but no hello came through within the probe window: a proxy that swallows frames. */
  | 'ws-silent'
  /** The server answers, but a stream's hello did not arrive within the probe window: a proxy buffers the stream. */
  | 'stream-buffered'
  /**
   * The hello came through, but no frame written after it did within the probe window: a proxy holds the tail of
   * every write until the next one (HAProxy's gzip), so each event would wait for the next heartbeat.
   */
  | 'stream-delayed'
  /** A trusted stream went quiet for 2x heartbeatMs: stalled, or buffered after the first bytes. */
  | 'heartbeat-lost'
  /** Streams keep being cut while idle, sooner than heartbeats come: a short proxy idle timeout. */
  | 'idle-cut'
  /** A long-poll brought no answer within the probe window while the server answers. */
  | 'probe-timeout'
  /** The stream endpoint answered with an HTTP error or could not be reached while the server itself answers. */
  | 'http-error'

export type TransportReason = FailureReason | 'negotiated' | 'remembered' | 'upgrade'
