import { PushlineError } from '@pushline/client'

/** The codes this package raises. See docs/errors.md. */
export const ReactErrorCode = {
  /** A hook ran outside a `<PushlineProvider>`. */
  NoProvider: 'RT_ERR_REACT_NO_PROVIDER',
} as const
export type ReactErrorCode = (typeof ReactErrorCode)[keyof typeof ReactErrorCode]

export function noProvider(hook: string): PushlineError {
  return new PushlineError(ReactErrorCode.NoProvider, `${hook} needs a <PushlineProvider client={...}> above it`)
}
