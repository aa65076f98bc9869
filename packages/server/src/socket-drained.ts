import type { Socket } from 'node:net'

/** Resolves once `socket` has drained its write buffer, or closed (then there is nothing left to wait for). */
export function socketDrained(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve()
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
