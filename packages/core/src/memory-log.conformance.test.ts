import { runLogConformance } from './conformance/index.js'
import { MemoryLog } from './memory-log.js'

runLogConformance('MemoryLog', {
  create: async (options) => new MemoryLog(options),
  // A process restart: the in-memory history is gone and the new log has a new epoch.
  loseHistory: async (log) => {
    await log.close()
    return new MemoryLog()
  },
})
