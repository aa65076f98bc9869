/**
 * Micro-timing for the log benchmark: each sample times one whole batch of operations; the figure is the median
 * sample (robust against a neighbour stealing the CPU for a moment) divided by the batch size.
 */
export interface Timing {
  /** Median nanoseconds per operation. */
  readonly nsPerOp: number
  /** Fastest sample, ns per operation: the least disturbed one. */
  readonly minNsPerOp: number
  readonly samples: number
}

export interface MeasureOptions {
  readonly ops: number
  readonly samples: number
  readonly warmup: number
}

/** Times `run` (which performs `ops` operations) `samples` times after `warmup` untimed runs. */
export async function measure(run: () => unknown, options: MeasureOptions): Promise<Timing> {
  for (let i = 0; i < options.warmup; i++) await run()
  const times: number[] = []
  for (let i = 0; i < options.samples; i++) {
    const start = process.hrtime.bigint()
    await run()
    times.push(Number(process.hrtime.bigint() - start))
  }
  times.sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)]!
  return { nsPerOp: median / options.ops, minNsPerOp: times[0]! / options.ops, samples: options.samples }
}
