import { defineConfig } from 'vite'

// The SPA lives in src/web and is built into dist/public, which the demo server serves; no dev server needed.
export default defineConfig({
  root: 'src/web',
  base: '/',
  build: { outDir: '../../dist/public', emptyOutDir: true, target: 'es2022', sourcemap: true },
})
