#!/usr/bin/env bash
# The benchmark command: installs what is missing, builds, then runs apps/bench with the given arguments.
#   pnpm bench            full run (fan-out at N=1000 in-process and over HTTP, N=100 and N=10000; the long-poll
#                         hot path and cache case, idle cost, single subscriber, settle behind nginx), ends with one JSON line
#   pnpm bench --quick    fan-out at N=1000 only, 1 s steps: a smoke run of a few minutes
#   pnpm bench --log      the MemoryLog benchmark (append / catch-up read against plain-array limits)
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
# nginx (the long-poll cache case, settle, Nchan) and redis-server (--redis) come through apt when missing.
bash scripts/bootstrap.sh --system >&2
# The Nchan peers need Debian's nginx module on top of that nginx.
if [ ! -e /usr/lib/nginx/modules/ngx_nchan_module.so ] && command -v apt-get >/dev/null; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libnginx-mod-nchan; } >&2 || echo "bench: libnginx-mod-nchan not installed; the nchan-* systems will fail" >&2
fi
# 10,000 subscribers (and 5,000 idle ones) need a file descriptor each on both sides.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
cd apps/bench
exec node dist/main.js "$@"
