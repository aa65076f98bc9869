/**
 * The cost areas' shared method (`pollcost`, `pubcost`): `rounds` runs of each system, interleaved, so that a slow
 * minute of the machine lands on all of them alike; then, per system, the run with the median figure.
 */
export async function interleaved<S, R>(
  systems: readonly S[],
  rounds: number,
  measure: (system: S) => Promise<R>,
  onRun?: (run: R) => void,
): Promise<R[]> {
  const runs: R[] = []
  for (let round = 0; round < rounds; round++) {
    for (const system of systems) {
      const run = await measure(system)
      onRun?.(run)
      runs.push(run)
    }
  }
  return runs
}

/** Per system, the run with the median `value`, leaving out runs with an error (of two, the lower). */
export function medianBy<S extends string, R extends { readonly system: S; readonly error?: string }>(
  runs: readonly R[],
  systems: readonly S[],
  value: (run: R) => number,
): Partial<Record<S, R>> {
  const median: Partial<Record<S, R>> = {}
  for (const system of systems) {
    const ok = runs.filter((run) => run.system === system && run.error === undefined).sort((a, b) => value(a) - value(b))
    const middle = ok[Math.floor((ok.length - 1) / 2)]
    if (middle) median[system] = middle
  }
  return median
}
