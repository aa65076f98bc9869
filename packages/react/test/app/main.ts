// A small SPA on @pushline/react, under StrictMode (development build: effects mount, unmount and mount again).
// It records every `ticks` event it gets so the test can check: each exactly once, in order, across the double
// mount and a change of channels mid-stream.
import { createClient } from '@pushline/client'
import { PushlineProvider, useSubscription } from '@pushline/react'
import { createElement as h, StrictMode, useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'
import type { channels } from './channels.js'

declare module '@pushline/react' {
  interface Register {
    channels: typeof channels
  }
}

interface Probe {
  readonly received: number[]
  effects: number
  transport: string | null
}
const probe: Probe = { received: [], effects: 0, transport: null }
Object.assign(window, { __probe: probe })

const client = createClient<typeof channels>({ url: `${location.origin}/rt` })
client.on('transport', ({ name }) => {
  probe.transport = name
})
const startCursor = new URLSearchParams(location.search).get('cursor') ?? undefined

function Feed({ withNews }: { readonly withNews: boolean }) {
  const [count, setCount] = useState(0)
  const { lastEvent } = useSubscription(withNews ? ['ticks', 'news'] : ['ticks'], {
    ...(startCursor === undefined ? {} : { cursor: startCursor }),
    onEvent(event) {
      if (event.channel !== 'ticks') return
      probe.received.push(event.data.n) // typed: `n` is a number, from the channel declaration
      setCount((c) => c + 1)
    },
  })
  useEffect(() => {
    probe.effects++
  }, [])
  return h('p', { id: 'count', 'data-last': lastEvent?.cursor ?? '' }, String(count))
}

function App() {
  const [withNews, setWithNews] = useState(false)
  return h('main', null, h('button', { id: 'toggle', type: 'button', onClick: () => setWithNews((v) => !v) }, 'toggle news'), h(Feed, { withNews }))
}

const root = document.getElementById('root')
if (root) createRoot(root).render(h(StrictMode, null, h(PushlineProvider, { client }, h(App))))
