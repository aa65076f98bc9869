import type { TransportName } from '@pushline/core/wire'
import type { Failures } from './memory.js'

/**
 * The order to try transports in: the user's list (when given) restricted to what the server enables, else the
 * server's order. Pure, so the choices below are unit-tested without sockets.
 */
export function ladderOf(server: readonly TransportName[], user: readonly TransportName[] | undefined): TransportName[] {
  return user ? user.filter((name) => server.includes(name)) : [...server]
}

/** Where to start: the best transport with no remembered failure, else the last one (the floor). */
export function startOn(ladder: readonly TransportName[], failures: Failures): TransportName | undefined {
  return pick(ladder, failures)
}

/** Where to go after `from` failed: the next one down with no remembered failure, else the floor; undefined at the floor. */
export function below(ladder: readonly TransportName[], from: TransportName, failures: Failures): TransportName | undefined {
  return pick(ladder.slice(ladder.indexOf(from) + 1), failures)
}

const pick = (names: readonly TransportName[], failures: Failures) => names.find((name) => !failures[name]) ?? names.at(-1)

/** Transports better than `current`, best first: the candidates to re-test in the background. */
export function above(ladder: readonly TransportName[], current: TransportName): TransportName[] {
  const index = ladder.indexOf(current)
  return index < 0 ? [] : ladder.slice(0, index)
}
