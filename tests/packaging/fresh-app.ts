import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)
export const repoRoot = resolve(import.meta.dirname, '../..')

export interface Tarball {
  /** The package name, e.g. `@pushline/core`. */
  readonly name: string
  readonly path: string
}

export interface FreshApp {
  /** The app folder, outside the repository. */
  readonly dir: string
  readonly tarballs: readonly Tarball[]
  /** Runs a command in the app folder; rejects with its output when it fails. */
  run(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }>
  remove(): void
}

function workspaceVersion(pkg: string, dep: string): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, pkg, 'package.json'), 'utf8'))
  const version = manifest.dependencies?.[dep] ?? manifest.devDependencies?.[dep] ?? manifest.peerDependencies?.[dep]
  if (typeof version !== 'string') throw new Error(`${pkg}/package.json does not name ${dep}`)
  return version
}

/**
 * `pnpm pack` of every published package (scripts/pack.mjs, as `pnpm -r publish` would upload them), installed
 * into a new app in the system's temp folder, far from the workspace: the app sees the packages exactly as a user
 * does, through their tarballs, `exports` and declared dependencies only. Third-party packages come from pnpm's
 * store (`--prefer-offline`: only their metadata is asked of the registry).
 */
export async function createFreshApp(extra: Readonly<Record<string, string>> = {}): Promise<FreshApp> {
  const dir = mkdtempSync(join(tmpdir(), 'pushline-fresh-app-'))
  const packs = join(dir, 'packs')
  const { stdout } = await exec('node', [join(repoRoot, 'scripts/pack.mjs'), packs], { cwd: repoRoot })
  const tarballs = stdout
    .trim()
    .split('\n')
    .map((path) => {
      const manifest = /^(.*)-\d+\.\d+\.\d+[^/]*\.tgz$/.exec(basename(path))
      if (!manifest?.[1]) throw new Error(`unexpected tarball name ${path}`)
      return { name: `@${manifest[1].replace('-', '/')}`, path }
    })
  const files = Object.fromEntries(tarballs.map((t) => [t.name, `file:${t.path}`]))
  const app = {
    name: 'fresh-app',
    private: true,
    type: 'module',
    dependencies: {
      ...files,
      fastify: workspaceVersion('packages/server', 'fastify'),
      zod: workspaceVersion('packages/core', 'zod'),
      ws: workspaceVersion('packages/server', 'ws'),
      ...extra,
    },
    devDependencies: {
      typescript: workspaceVersion('.', 'typescript'),
      '@types/node': workspaceVersion('.', '@types/node'),
    },
    // The tarballs depend on each other by version (workspace:* replaced at pack time): point those at the tarballs.
    pnpm: { overrides: files },
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(app, null, 2)}\n`)
  const run: FreshApp['run'] = async (command, args, env) => {
    try {
      return await exec(command, [...args], { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 16 << 20 })
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string; message: string }
      throw new Error(`${command} ${args.join(' ')} failed in ${dir}:\n${failed.stdout ?? ''}\n${failed.stderr ?? failed.message}`)
    }
  }
  await run('pnpm', ['install', '--prefer-offline', '--no-frozen-lockfile', '--reporter=silent'])
  return { dir, tarballs, run, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
