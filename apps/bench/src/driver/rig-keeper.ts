/**
 * Keeps one rig (a server with its subscribers and publisher) for a ladder's steps and replaces it with a fresh one
 * before the step that follows a failed step. An overloaded step leaves work behind (a peer's unbounded buffers
 * still being written, resumed subscribers catching up, a heap grown to gigabytes) that would fail the steps below
 * it and, in a side-by-side run, load the machine under the other systems' steps; each step should measure the rate
 * it names, whatever the ladder tried before it. The replacement starts only when there is a next step.
 */
export class RigKeeper<R, S extends { readonly ok: boolean }> {
  private rig: R | undefined
  /** The last step failed: the next one needs a fresh rig. */
  private spent = false

  constructor(
    private readonly hooks: {
      /** Starts (and warms up) a rig. */
      readonly start: () => Promise<R>
      readonly stop: (rig: R) => Promise<void>
      readonly measure: (rig: R, rate: number) => Promise<S>
    },
  ) {}

  /** The current rig, started if there is none yet (the first rig's figures, e.g. RSS with N connected). */
  async current(): Promise<R> {
    if (this.spent && this.rig !== undefined) await this.close()
    this.spent = false
    if (this.rig === undefined) {
      this.rig = await this.hooks.start()
    }
    return this.rig
  }

  async measure(rate: number): Promise<S> {
    const step = await this.hooks.measure(await this.current(), rate)
    this.spent = !step.ok
    return step
  }

  async close(): Promise<void> {
    const rig = this.rig
    this.rig = undefined
    if (rig !== undefined) await this.hooks.stop(rig)
  }
}
