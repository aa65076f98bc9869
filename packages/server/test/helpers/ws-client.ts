import { waitFor } from '@pushline/testing'
import WebSocket from 'ws'
import type { TestApp } from './app.js'
import type { Frame } from './clients.js'

export interface RawWs {
  readonly ws: WebSocket
  readonly frames: Frame[]
  /** Resolves with [code, reason] when the server closes. */
  readonly closed: Promise<[number, string]>
  send(message: unknown): void
  waitFrame(predicate: (frame: Frame) => boolean): Promise<Frame>
}

/** A `ws` client that records every frame, for tests of the WebSocket protocol itself. */
export async function openWs(app: TestApp, headers?: Record<string, string>): Promise<RawWs> {
  const ws = new WebSocket(`${app.wsBase}/ws`, { headers })
  const frames: Frame[] = []
  ws.on('message', (data, isBinary) => frames.push(isBinary ? { type: 'binary' } : JSON.parse(data.toString())))
  const closed = new Promise<[number, string]>((resolve) => ws.once('close', (code, reason) => resolve([code, reason.toString()])))
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const waitFrame = (predicate: (frame: Frame) => boolean): Promise<Frame> =>
    waitFor(() => frames.find(predicate), 'the frame', { describe: () => `got ${JSON.stringify(frames).slice(0, 400)}` })
  return { ws, frames, closed, send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)), waitFrame }
}

/** The HTTP status a refused upgrade answered with. */
export function upgradeStatus(app: TestApp, headers?: Record<string, string>): Promise<number> {
  const ws = new WebSocket(`${app.wsBase}/ws`, { headers })
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_request, response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
      ws.terminate()
    })
    ws.once('open', () => {
      ws.close()
      resolve(101)
    })
    ws.once('error', (error) => {
      if (!error.message.startsWith('Unexpected server response')) reject(error)
    })
  })
}
