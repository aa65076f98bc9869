import type { PushlineClient } from '@pushline/client'
import type { ChannelSchemas } from '@pushline/core'
import { createContext, createElement, type ReactNode, useContext } from 'react'
import { noProvider } from './errors.js'
import type { RegisteredChannels } from './register.js'

// The context holds whichever client the app made (as a plain object: clients of different channel declarations
// are not assignable to one another); its channel type comes back through `Register` or the hook's type argument.
const PushlineContext = createContext<object | null>(null)

/** What every client has whatever its channel declarations (the parts that do not depend on them). */
export type AnyPushlineClient = Pick<PushlineClient, 'transport' | 'state' | 'close'>

export interface PushlineProviderProps {
  /**
   * One client for the whole app, made once outside React (module scope): the provider never creates or closes
   * it, so StrictMode's double mount and fast refresh cannot open a second connection or close the one in use.
   */
  readonly client: AnyPushlineClient
  readonly children?: ReactNode
}

export function PushlineProvider({ client, children }: PushlineProviderProps): ReactNode {
  return createElement(PushlineContext.Provider, { value: client }, children)
}

/** The client of the nearest `<PushlineProvider>`, typed by `Register`; throws RT_ERR_REACT_NO_PROVIDER outside one. */
export function usePushlineClient<C extends ChannelSchemas | undefined = RegisteredChannels>(): PushlineClient<C> {
  const client = useContext(PushlineContext)
  if (client === null) throw noProvider('usePushlineClient')
  return client as PushlineClient<C>
}
