// Adds up vitest's and Playwright's JSON reports plus the lint/typecheck checks and prints the closing line
// `N passed, N failed, N skipped` that CI reads. Exits non-zero when anything failed or no report was written.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const [dir, checksFailedArg] = process.argv.slice(2)
const checksFailed = Number(checksFailedArg ?? 0)
const checks = existsSync(join(dir, 'checks.txt')) ? readFileSync(join(dir, 'checks.txt'), 'utf8').trim().split('\n').length : 0
let passed = checks - checksFailed
let failed = checksFailed
let skipped = 0
let missing = 0

const vitest = join(dir, 'vitest.json')
if (existsSync(vitest)) {
  const report = JSON.parse(readFileSync(vitest, 'utf8'))
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + report.numTodoTests
  // A file that failed to load has no tests in the counts: count it as a failure.
  for (const file of report.testResults ?? []) if (file.status === 'failed' && file.assertionResults.length === 0) failed++
} else missing++

const playwright = join(dir, 'playwright.json')
if (existsSync(playwright)) {
  const stats = JSON.parse(readFileSync(playwright, 'utf8')).stats
  passed += stats.expected + stats.flaky
  failed += stats.unexpected
  skipped += stats.skipped
  if ((JSON.parse(readFileSync(playwright, 'utf8')).errors ?? []).length > 0) failed++
} else if (existsSync('e2e/playwright.config.ts')) missing++

failed += missing
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
