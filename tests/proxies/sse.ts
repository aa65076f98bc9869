/** A Server-Sent Events stream read with fetch, frame by frame, for tests that watch what arrives and when. */
export interface SseStream {
  /** Resolves with the first frame not yet taken whose text matches, and the time it arrived. */
  next(pattern: RegExp, timeoutMs?: number): Promise<{ frame: string; at: number }>
  close(): void
}

export async function openSse(url: string): Promise<SseStream> {
  const abort = new AbortController()
  const response = await fetch(url, { signal: abort.signal, headers: { accept: 'text/event-stream' } })
  if (!response.ok || !response.body) throw new Error(`${url}: ${response.status}`)
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  const frames: { frame: string; at: number }[] = []
  let buffer = ''
  let wake: (() => void) | undefined
  let ended = false
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        buffer += value
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          frames.push({ frame: buffer.slice(0, end), at: performance.now() })
          buffer = buffer.slice(end + 2)
          end = buffer.indexOf('\n\n')
        }
        wake?.()
      }
    } catch {
      // aborted by close()
    }
    ended = true
    wake?.()
  })()
  return {
    async next(pattern, timeoutMs = 10_000) {
      const deadline = performance.now() + timeoutMs
      for (;;) {
        const index = frames.findIndex((f) => pattern.test(f.frame))
        const taken = index >= 0 ? frames.splice(0, index + 1) : []
        const found = taken[taken.length - 1]
        if (found) return found
        if (ended) throw new Error(`stream ended before ${pattern}`)
        const left = deadline - performance.now()
        if (left <= 0) throw new Error(`no frame matching ${pattern} within ${timeoutMs} ms`)
        await new Promise<void>((done) => {
          const timer = setTimeout(done, left)
          wake = () => {
            clearTimeout(timer)
            done()
          }
        })
      }
    },
    close: () => abort.abort(),
  }
}
