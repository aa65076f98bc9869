// Edited by the fast-refresh test while the page runs (the label below): React Refresh swaps this component in
// place, keeping its state and refs, and re-runs its effects, which makes the hook resubscribe.
import { useSubscription } from '@pushline/react'
import { useEffect, useState } from 'react'
import { probe } from './probe.js'

export function Feed() {
  const [count, setCount] = useState(0)
  useSubscription(['ticks'], {
    ...(probe.startCursor === undefined ? {} : { cursor: probe.startCursor }),
    onEvent(event) {
      probe.received.push(event.data.n)
      setCount((c) => c + 1)
    },
  })
  useEffect(() => {
    probe.effects++
  }, [])
  return <p id="count">count: {count}</p>
}
