#!/usr/bin/env bash
# The README's test command: installs what is missing, then lint, typecheck, unit + integration tests (vitest)
# and the browser e2e tests (Playwright through real nginx). Ends with the plain line `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
export PATH="/usr/sbin:$PATH"   # nginx lives there on Debian

bash scripts/bootstrap.sh --system || { echo "bootstrap failed"; echo "0 passed, 1 failed"; exit 1; }

reports=.tmp/reports
rm -rf "$reports" && mkdir -p "$reports"
checks_failed=0

echo "== lint"
if pnpm exec biome lint . > "$reports/lint.txt" 2>&1; then echo "lint: ok"; else cat "$reports/lint.txt"; echo "lint: FAILED"; checks_failed=$((checks_failed + 1)); fi
echo 'lint' > "$reports/checks.txt"

echo "== typecheck"
if pnpm exec turbo run typecheck --output-logs=errors-only; then echo "typecheck: ok"; else echo "typecheck: FAILED"; checks_failed=$((checks_failed + 1)); fi
echo 'typecheck' >> "$reports/checks.txt"

echo "== packages (publint and arethetypeswrong on the packed tarballs, offline)"
mapfile -t tarballs < <(node scripts/pack.mjs "$reports/packs")
each_tarball() { [ "${#tarballs[@]}" -gt 0 ] || return 1; for t in "${tarballs[@]}"; do "$@" "$t" || return 1; done; }
if each_tarball pnpm exec publint run --strict > "$reports/publint.txt" 2>&1; then echo "publint: ok"; else cat "$reports/publint.txt"; echo "publint: FAILED"; checks_failed=$((checks_failed + 1)); fi
echo 'publint' >> "$reports/checks.txt"
# ESM only, by decision (packages/*/README.md, "CommonJS"): require() of them works through Node's require(esm),
# which attw reports as cjs-resolves-to-esm; every other rule stays, under node10, node16 and bundler.
if each_tarball pnpm exec attw --ignore-rules cjs-resolves-to-esm --format ascii --no-color > "$reports/attw.txt" 2>&1; then echo "attw: ok"; else cat "$reports/attw.txt"; echo "attw: FAILED"; checks_failed=$((checks_failed + 1)); fi
echo 'attw' >> "$reports/checks.txt"

echo "== unit and integration tests (vitest)"
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$reports/vitest.json"

if [ -f e2e/playwright.config.ts ]; then
  echo "== e2e (Playwright through nginx; traces and screenshots of failures in e2e/artifacts/)"
  PLAYWRIGHT_JSON_OUTPUT_NAME="$PWD/$reports/playwright.json" pnpm --filter @pushline/e2e exec playwright test --reporter=list,json
fi

node scripts/summarize.mjs "$reports" "$checks_failed"
