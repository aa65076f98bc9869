import { runLogBench } from './log/log-bench.js'
import { printLogBench } from './log/print.js'

const args = process.argv.slice(2)
if (args.includes('--log')) {
  printLogBench(await runLogBench({ quick: args.includes('--quick') }))
}
