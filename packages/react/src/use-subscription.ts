import type { ClientEvent, PushlineError, ResetInfo } from '@pushline/client'
import type { ChannelName, ChannelSchemas } from '@pushline/core'
import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import { usePushlineClient } from './provider.js'
import type { RegisteredChannels } from './register.js'

export interface UseSubscriptionOptions<C extends ChannelSchemas | undefined, K extends string> {
  /** Resume after this cursor on first mount (e.g. one the app stored); omitted = from now. Read once. */
  readonly cursor?: string
  /** Every event, exactly once and in order, also across remounts and channel changes. */
  readonly onEvent?: (event: ClientEvent<C, K>) => void
  /** The cursor was too old or from another history of the log: events in between are gone. */
  readonly onReset?: (reset: ResetInfo) => void
  /** A final error of the subscription (e.g. a channel the server refuses). */
  readonly onError?: (error: PushlineError) => void
  /** false: no subscription (default true). Turning it back on resumes where the hook left off. */
  readonly enabled?: boolean
}

export interface SubscriptionState<C extends ChannelSchemas | undefined, K extends string> {
  /** The latest event, or undefined before the first. */
  readonly lastEvent: ClientEvent<C, K> | undefined
  /** The last cursor the hook delivered (or where it started); store it to resume after a reload. */
  readonly cursor: string | undefined
  readonly error: PushlineError | undefined
}

/**
 * Subscribes to `channels` while the component is mounted. The hook keeps its own position (the last cursor it
 * delivered, or where its subscription was positioned): whenever its effect runs again — StrictMode's
 * mount-unmount-mount, fast refresh, a change of `channels`, `enabled` toggled — the new subscription resumes right
 * after that position, so nothing is lost or repeated. Callbacks may change on every render without resubscribing;
 * `channels` is compared by value, so an inline array is fine.
 */
export function useSubscription<K extends ChannelName<C>, C extends ChannelSchemas | undefined = RegisteredChannels>(
  channels: readonly K[],
  options: UseSubscriptionOptions<C, K> = {},
): SubscriptionState<C, K> {
  const client = usePushlineClient<C>()
  const latest = useRef(options)
  const position = useRef(options.cursor)
  const channelsRef = useRef(channels)
  const [state, setState] = useState<SubscriptionState<C, K>>({ lastEvent: undefined, cursor: options.cursor, error: undefined })
  const key = JSON.stringify(channels)
  const enabled = options.enabled ?? true

  // Before any effect of this commit runs: the subscription always calls the newest callbacks.
  useLayoutEffect(() => {
    latest.current = options
    channelsRef.current = channels
  })

  useEffect(() => {
    if (!enabled || key === '[]') return
    let active = true
    const handle = client.subscribe(channelsRef.current, {
      ...(position.current === undefined ? {} : { cursor: position.current }),
      onEvent(event) {
        if (!active) return
        position.current = event.cursor
        latest.current.onEvent?.(event)
        setState({ lastEvent: event, cursor: event.cursor, error: undefined })
      },
      onReset(reset) {
        if (!active) return
        position.current = reset.cursor
        latest.current.onReset?.(reset)
        setState((previous) => ({ ...previous, cursor: reset.cursor }))
      },
      onError(error) {
        if (!active) return
        latest.current.onError?.(error)
        setState((previous) => ({ ...previous, error }))
      },
    })
    return () => {
      active = false
      // Where the next subscription of this hook resumes: the last event delivered, or where this one started.
      position.current = handle.cursor ?? position.current
      handle.unsubscribe()
    }
  }, [client, key, enabled])

  return state
}
