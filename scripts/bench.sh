#!/usr/bin/env bash
# The benchmark command: installs what is missing, builds, then runs apps/bench with the given arguments.
#   pnpm bench            full run (fan-out N=1000 and N=100, idle cost, single subscriber), ends with one JSON line
#   pnpm bench --quick    fan-out at N=1000 only, under 3 minutes
#   pnpm bench --log      the MemoryLog benchmark (append / catch-up read against plain-array limits)
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
bash scripts/bootstrap.sh >&2
# 5,000 idle subscribers need a file descriptor each on both sides.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
cd apps/bench
exec node dist/main.js "$@"
