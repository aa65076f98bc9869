#!/usr/bin/env bash
# The README's demo command: installs what is missing, builds, and starts the demo on 127.0.0.1:$PORT (default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec node apps/demo/dist/server/main.js
