import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { blockUnder, blocksOf } from './readme-blocks.js'
import { repoRoot } from './fresh-app.js'
import type { Running } from './processes.js'

/** Headings of the main README whose `ts` sample is type-checked (and, for `shutdown.ts`, run). */
export const MAIN_README_SAMPLES = [
  'Add the server to a fastify app',
  'Use the client',
  'Tokens, cookies and identity',
  'Several instances: the Redis Streams log',
  'trustProxy',
  'Graceful shutdown',
] as const

/**
 * Writes every `ts` block of the given packages' READMEs into `<app>/src`: a block that starts with
 * `// file: <name>` under that name (other samples import it, e.g. `./channels.js`), every other one as
 * `readme-<package>-<n>.ts`. Nothing is edited on the way: what compiles here is what a user pastes.
 */
export function writeSamples(appDir: string, packages: readonly string[]): void {
  const src = join(appDir, 'src')
  mkdirSync(src, { recursive: true })
  const seen = new Set<string>()
  // The main README's samples: the server and client ones, and those of the sections on running it.
  for (const heading of MAIN_README_SAMPLES) {
    const block = blockUnder(join(repoRoot, 'README.md'), heading, 'ts')
    const name = block.file ?? `readme-${heading.toLowerCase().replace(/\W+/g, '-')}.ts`
    seen.add(name)
    writeFileSync(join(src, name), block.code)
  }
  for (const [label, readme] of packages.map((p) => [p, join(repoRoot, 'packages', p, 'README.md')] as const)) {
    for (const [index, block] of [...blocksOf(readme, 'ts'), ...blocksOf(readme, 'tsx')].entries()) {
      const name = block.file ?? `readme-${label}-${index + 1}.${block.lang}`
      if (seen.has(name)) throw new Error(`${readme}:${block.line}: a second sample named ${name}`)
      seen.add(name)
      writeFileSync(join(src, name), block.code)
    }
  }
}

export function sampleFiles(appDir: string): string[] {
  return readdirSync(join(appDir, 'src')).filter((file) => /\.tsx?$/.test(file))
}

export async function processesEnded(running: readonly Running[]): Promise<void> {
  await Promise.all(running.map((process) => process.stop()))
}
