// Packs every published package (packages/*, not private) with `pnpm pack` into one folder, exactly as
// `pnpm -r publish` would upload them (workspace:* replaced by versions). Prints one tarball path a line.
//   node scripts/pack.mjs <out-dir>
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const out = resolve(process.argv[2] ?? join(root, '.tmp/packs'))
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'))
  if (pkg.private) continue
  execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: join(root, 'packages', dir), stdio: ['ignore', 'ignore', 'inherit'] })
}
for (const file of readdirSync(out).sort()) if (file.endsWith('.tgz')) console.log(join(out, file))
