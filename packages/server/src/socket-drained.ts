import type { Socket } from 'node:net'
import type { FlushScheduler } from './flush-scheduler.js'

/**
 * Hands `socket` what the flusher holds for it, then resolves once the socket has drained its write buffer, or
 * closed (then there is nothing left to wait for). Resolves at once when the socket is under its high-water mark.
 */
export function socketDrained(flusher: FlushScheduler, socket: Socket): Promise<void> {
  flusher.release(socket)
  if (socket.destroyed || !socket.writableNeedDrain) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const done = (): void => {
      socket.off('drain', done)
      socket.off('close', done)
      resolve()
    }
    socket.on('drain', done)
    socket.on('close', done)
  })
}
