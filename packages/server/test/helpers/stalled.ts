import { connect, type Socket } from 'node:net'
import type { TransportName } from '@pushline/core'
import WebSocket from 'ws'
import type { TestApp } from './app.js'

/**
 * A subscriber that stops reading once its stream is open: its socket's receive window fills up, and then the
 * server's. Returns the client socket, to be destroyed by the test.
 */
export async function stalledSubscriber(app: TestApp, transport: Exclude<TransportName, 'longpoll'>, channel: string): Promise<Socket> {
  if (transport === 'websocket') {
    const ws = new WebSocket(`${app.wsBase}/ws`)
    // The TCP socket under the client, through ws's public `upgrade` event (the 101 response's socket).
    let socket: Socket | undefined
    ws.once('upgrade', (response) => {
      socket = response.socket
    })
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    const subscribed = new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        if (JSON.parse(data.toString()).type === 'subscribed') resolve()
      })
    })
    ws.send(JSON.stringify({ type: 'subscribe', channels: [channel] }))
    await subscribed
    if (!socket) throw new Error('no socket under the WebSocket')
    socket.pause()
    return socket
  }
  const url = new URL(app.base)
  const path = `${url.pathname}/${transport === 'sse' ? 'sse' : 'stream'}?channel=${channel}`
  const socket = connect(Number(url.port), url.hostname)
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`)
  await new Promise<void>((resolve) => {
    let seen = ''
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString()
      if (seen.includes('hello')) {
        socket.off('data', onData)
        socket.pause()
        resolve()
      }
    }
    socket.on('data', onData)
  })
  return socket
}
