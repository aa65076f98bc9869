/**
 * The EventLog conformance suite: every behaviour protocol 1 relies on, run against any implementation.
 *
 *   import { runLogConformance } from '@pushline/core/conformance'
 *   runLogConformance('MyLog', { create: async (o) => new MyLog(o), loseHistory: async (log) => ... })
 *
 * Call it at the top level of a vitest test file; it needs `vitest` and `fast-check` installed.
 */
import { describe } from 'vitest'
import { basicsSuite } from './basics.js'
import { handoffSuite } from './handoff.js'
import type { ConformanceHarness } from './harness.js'
import { propertySuite } from './property.js'
import { retentionSuite } from './retention.js'
import { waitingSuite } from './waiting.js'

export type { ConformanceHarness, ConformanceLogOptions } from './harness.js'

export interface ConformanceOptions {
  /** fast-check runs of the model test (default 40). */
  readonly propertyRuns?: number
}

export function runLogConformance(name: string, harness: ConformanceHarness, options: ConformanceOptions = {}): void {
  describe(`EventLog conformance: ${name}`, () => {
    basicsSuite(harness)
    retentionSuite(harness)
    waitingSuite(harness)
    handoffSuite(harness)
    propertySuite(harness, options.propertyRuns ?? 40)
  })
}
