/**
 * The source address of the next load-client connection, round-robin over 127.0.0.1-127.0.0.4: each address has
 * its own ephemeral ports toward the server's one port, so 10,000 subscribers (plus reconnections and the other
 * systems' sockets still in TIME_WAIT) do not run out of ports. Every 127.0.0.0/8 address is loopback on Linux.
 */
const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4']
let next = 0

export function nextLocalAddress(): string {
  next = (next + 1) % ADDRESSES.length
  return ADDRESSES[next] ?? '127.0.0.1'
}
