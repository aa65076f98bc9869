#!/usr/bin/env bash
# Installs what the project needs on a fresh machine with only Node 20 and apt, then builds the workspace.
#   scripts/bootstrap.sh            pnpm, the packages, a build
#   scripts/bootstrap.sh --system   also chromium, nginx, haproxy, redis-server and Nchan (libnginx-mod-nchan, the
#                                   bench harness's peer, which its smoke test starts) through apt when missing
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

PNPM_VERSION=10.34.9
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "bootstrap: installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

if [ "${1:-}" = "--system" ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ] || missing+=(chromium)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)   # tests/proxies
  [ -e /usr/lib/nginx/modules/ngx_nchan_module.so ] || missing+=(libnginx-mod-nchan)   # apps/bench's nchan-* peers
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "bootstrap: installing ${missing[*]} through apt"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

echo "bootstrap: installing packages"
pnpm install --frozen-lockfile --reporter=silent
echo "bootstrap: building"
pnpm exec turbo run build --output-logs=errors-only
