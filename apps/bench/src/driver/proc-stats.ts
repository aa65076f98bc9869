import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** Process figures from /proc: CPU time (utime + stime) and peak resident memory (VmHWM). */
let clockTicks: number | undefined

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
    } catch {
      clockTicks = 100
    }
  }
  return clockTicks
}

/** CPU seconds a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    // Fields after the command name (which may contain spaces) start at state (field 3); utime/stime are 14/15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond()
  } catch {
    return 0
  }
}

/** Peak resident set size in bytes (VmHWM); 0 once the process is gone. */
export function peakRssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1')
    const match = /VmHWM:\s+(\d+) kB/.exec(status)
    return match ? Number(match[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/** CPU use of a set of processes over a window, in percent of one core. */
export class CpuMeter {
  private readonly startCpu: number
  private readonly startEach: number[]
  private readonly startTime = performance.now()

  constructor(private readonly pids: readonly number[]) {
    this.startEach = pids.map(cpuSeconds)
    this.startCpu = this.startEach.reduce((a, b) => a + b, 0)
  }

  percent(): number {
    const seconds = (performance.now() - this.startTime) / 1000
    return seconds > 0 ? Math.round(((this.total() - this.startCpu) / seconds) * 100) : 0
  }

  /** The busiest single process, % of one core: a process at ~100 % is the limit whatever the others do. */
  maxPercent(): number {
    const seconds = (performance.now() - this.startTime) / 1000
    if (seconds <= 0) return 0
    return Math.round(Math.max(0, ...this.pids.map((pid, i) => ((cpuSeconds(pid) - (this.startEach[i] ?? 0)) / seconds) * 100)))
  }

  private total(): number {
    return this.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0)
  }
}
