import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// One config for the whole workspace: `vitest run` at the root runs every package's unit and integration tests
// (the README's test command does that), `pnpm --filter <pkg> test` runs one package's.
// Workspace packages resolve to their built `dist/` (run `pnpm build` first), exactly as users get them.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tests/*/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
