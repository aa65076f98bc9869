import type { SystemName } from '../systems.js'

/**
 * The systems grouped with the peer each is measured against (`peerOf`: system -> peer), every other system alone;
 * groups in the order their first system is given. main.ts runs the systems of a group side by side: the single
 * subscriber's (`PLAIN_OF`, publishes interleaved) and the fan-out's (`FANOUT_PEER_OF`, steps taking turns).
 */
export function peerGroups(systems: readonly SystemName[], peerOf: Readonly<Record<string, SystemName>>): SystemName[][] {
  const keyOf = (system: SystemName): SystemName => peerOf[system] ?? system
  const groups = new Map<SystemName, SystemName[]>()
  for (const system of systems) {
    const group = groups.get(keyOf(system))
    if (group) group.push(system)
    else groups.set(keyOf(system), [system])
  }
  return [...groups.values()]
}
