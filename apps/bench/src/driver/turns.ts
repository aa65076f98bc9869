/**
 * Turns for the systems of one comparison, run side by side: each system keeps its server and its subscribers
 * connected for the whole ladder, and only one of them measures (or sets up, or tears down) at a time, in the
 * order they asked. Their steps then alternate minute by minute, so a machine that drifts over a run (this VM's
 * speed moved ~2x between two runs hours apart, for every system alike) moves all of them together and their
 * ratio stays a same-minute comparison.
 */
export class StepTurns {
  private last: Promise<unknown> = Promise.resolve()

  /** Runs `work` after every piece of work asked for before it has settled; its result or failure is the caller's. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const mine = this.last.then(work, work)
    this.last = mine.catch(() => undefined)
    return mine
  }
}
