import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFreshApp, type FreshApp, repoRoot } from './fresh-app.js'
import { processesEnded, sampleFiles, writeSamples } from './samples.js'
import { openSse } from '../proxies/sse.js'
import { freePort, type Running, startNode, waitForHttp } from './processes.js'

const PUBLISHED = ['core', 'server', 'client', 'redis', 'react'] as const

function workspaceDev(pkg: string, name: string): string {
  return String(JSON.parse(readFileSync(join(repoRoot, pkg, 'package.json'), 'utf8')).devDependencies[name])
}

/** What the React sample needs besides the tarballs, at the versions the workspace tests with. */
function reactDependencies(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'packages/react/package.json'), 'utf8'))
  const names = ['react', 'react-dom', '@types/react', '@types/react-dom']
  return Object.fromEntries(names.map((name) => [name, String(manifest.devDependencies[name])]))
}

/** A tsconfig for the samples; `extra` decides the resolution under test. */
function tsconfig(extra: Record<string, unknown>, include: readonly string[]): string {
  const compilerOptions = { target: 'ES2022', strict: true, skipLibCheck: false, noEmit: true, jsx: 'react-jsx', lib: ['ES2023', 'DOM'], types: ['node'], ...extra }
  return `${JSON.stringify({ compilerOptions, include }, null, 2)}\n`
}

let app: FreshApp
const running: Running[] = []
let emitted: Promise<unknown> | undefined
/** The samples compiled to `dist/` once (under nodenext, as a Node app would build them). */
const compiled = () => {
  emitted ??= app.run(join(app.dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.nodenext.json', '--noEmit', 'false', '--outDir', 'dist'])
  return emitted
}

beforeAll(async () => {
  app = await createFreshApp({ ...reactDependencies(), esbuild: workspaceDev('packages/client', 'esbuild') })
  writeSamples(app.dir, PUBLISHED)
  writeFileSync(join(app.dir, 'tsconfig.nodenext.json'), tsconfig({ module: 'nodenext', moduleResolution: 'nodenext' }, ['src']))
  writeFileSync(join(app.dir, 'tsconfig.bundler.json'), tsconfig({ module: 'esnext', moduleResolution: 'bundler' }, ['src']))
  mkdirSync(join(app.dir, 'browser'))
  // What a browser-only app (no Node types, library declarations checked) gets from every browser-facing entry.
  writeFileSync(
    join(app.dir, 'browser/app.ts'),
    [
      "import { createClient, PushlineError, type TransportName } from '@pushline/client'",
      "import { defineChannels, isCursor } from '@pushline/core'",
      "import { PushlineProvider, useSubscription } from '@pushline/react'",
      "import { TRANSPORT_NAMES } from '@pushline/core/wire'",
      "import { z } from 'zod'",
      "const channels = defineChannels({ chat: z.object({ text: z.string() }) })",
      "const client = createClient<typeof channels>({ url: '/rt' })",
      "client.subscribe(['chat'], { onEvent: (e) => document.title = e.data.text })",
      'const names: readonly TransportName[] = TRANSPORT_NAMES',
      'export { client, names, isCursor, PushlineError, PushlineProvider, useSubscription }',
      '',
    ].join('\n'),
  )
  writeFileSync(
    join(app.dir, 'tsconfig.browser.json'),
    tsconfig({ module: 'esnext', moduleResolution: 'bundler', types: [], lib: ['ES2022', 'DOM', 'DOM.Iterable'] }, ['browser']),
  )
}, 300_000)

afterAll(async () => {
  await processesEnded(running)
  app?.remove()
})

describe('the packed packages, installed into a fresh app outside the repository', () => {
  it('every tarball carries LICENSE, README, license/repository/engines and the sources its maps point at', () => {
    expect(app.tarballs.map((t) => t.name).sort()).toEqual(PUBLISHED.map((p) => `@pushline/${p}`).sort())
    for (const { name, path } of app.tarballs) {
      const listing = execFileSync('tar', ['tzf', path], { encoding: 'utf8' }).split('\n').filter(Boolean)
      expect(listing, name).toContain('package/LICENSE')
      expect(listing, name).toContain('package/README.md')
      const manifest = JSON.parse(execFileSync('tar', ['xzf', path, '-O', 'package/package.json'], { encoding: 'utf8' }))
      expect(manifest.license, name).toBe('MIT')
      expect(manifest.repository?.url, name).toMatch(/^git\+https:\/\//)
      expect(manifest.engines?.node, name).toBeTruthy()
      expect(JSON.stringify(manifest), `${name} must not ship workspace: ranges`).not.toContain('workspace:')
      const installed = join(app.dir, 'node_modules', name)
      for (const map of listing.filter((file) => file.endsWith('.map'))) {
        const mapPath = map.replace(/^package\//, '')
        const { sources } = JSON.parse(readFileSync(join(installed, mapPath), 'utf8')) as { sources: string[] }
        for (const source of sources) {
          const shipped = join(mapPath, '..', source)
          expect(listing, `${name}: ${mapPath} points at ${source}`).toContain(`package/${shipped}`)
        }
      }
    }
  })

  it('the README samples type-check under moduleResolution nodenext', async () => {
    expect(sampleFiles(app.dir).length).toBeGreaterThan(3)
    await app.run(join(app.dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.nodenext.json'])
  }, 240_000)

  it('the README samples type-check under moduleResolution bundler', async () => {
    await app.run(join(app.dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.bundler.json'])
  }, 240_000)

  it('the browser-facing declarations compile in a browser-only project (types: [], skipLibCheck: false)', async () => {
    await app.run(join(app.dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.browser.json'])
  }, 240_000)

  it('the browser entries bundle for browsers and load where there is no Buffer', async () => {
    // Every export of each browser-facing entry, as Vite's dependency pre-bundling serves it in development (no
    // tree-shaking): a browser bundler resolves `@pushline/core` without the `node` condition, to the entry that
    // leaves out the Buffer frames, so evaluating it needs no Node global.
    const entry = ["export * as core from '@pushline/core'", "export * as wire from '@pushline/core/wire'", "export * as client from '@pushline/client'", "export * as react from '@pushline/react'", '']
    writeFileSync(join(app.dir, 'browser/everything.ts'), entry.join('\n'))
    await app.run(join(app.dir, 'node_modules/.bin/esbuild'), ['browser/everything.ts', '--bundle', '--platform=browser', '--format=esm', '--outfile=browser-dist/everything.js', '--log-level=warning'])
    const load = "delete globalThis.Buffer; const m = await import('./browser-dist/everything.js'); console.log(typeof m.core.defineChannels, typeof m.client.createClient, 'sseEvent' in m.core)"
    const { stdout } = await app.run('node', ['--input-type=module', '-e', load])
    expect(stdout.trim()).toBe('function function false')
  }, 60_000)

  it('every entry point imports as ESM and loads with require() (require(esm) on Node 20.19+)', async () => {
    const entries: string[] = []
    for (const { name } of app.tarballs) {
      const manifest = JSON.parse(readFileSync(join(app.dir, 'node_modules', name, 'package.json'), 'utf8'))
      for (const key of Object.keys(manifest.exports)) {
        // The conformance suite runs inside vitest (an optional peer this app does not install).
        if (key === './package.json' || key === './conformance') continue
        entries.push(key === '.' ? name : `${name}/${key.slice(2)}`)
      }
    }
    expect(entries).toContain('@pushline/client')
    const list = JSON.stringify(entries)
    const esm = await app.run('node', ['--input-type=module', '-e', `for (const e of ${list}) { const m = await import(e); if (Object.keys(m).length === 0) throw new Error(e + ': no exports') }; console.log('esm ok')`])
    expect(esm.stdout).toContain('esm ok')
    const cjs = await app.run('node', ['--input-type=commonjs', '-e', `for (const e of ${list}) { const m = require(e); if (Object.keys(m).length === 0) throw new Error(e + ': no exports') }; console.log('cjs ok')`])
    expect(cjs.stdout).toContain('cjs ok')
    // One class across both ways in: no dual-package hazard for `instanceof PushlineError`.
    const same = await app.run('node', ['--input-type=module', '-e', "import { createRequire } from 'node:module'; const { PushlineError } = await import('@pushline/core'); console.log(createRequire(import.meta.url)('@pushline/client').PushlineError === PushlineError)"])
    expect(same.stdout.trim()).toBe('true')
  }, 60_000)

  it('the server and client samples, pasted as they are, deliver a publish to the subscriber', async () => {
    await compiled()
    const port = await freePort()
    const server = startNode(app.dir, ['dist/server.js'], { PORT: String(port) })
    running.push(server)
    const base = `http://127.0.0.1:${port}/rt`
    await waitForHttp(`${base}/negotiate`)
    const client = startNode(app.dir, ['dist/client.js'], { PUSHLINE_URL: base })
    running.push(client)
    await client.waitFor(/^server: \d{4}-/m) // the server sample's own ticker reached the client sample
    const text = `hello from the test ${Date.now()}`
    const published = await fetch(`${base}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'chat', data: { from: 'test', text } }),
    })
    expect(published.status).toBe(201)
    await client.waitFor(new RegExp(`^test: ${text}$`, 'm'))
    await server.stop() // SIGTERM -> app.close(), as the sample wires it: the process ends by itself
    expect(server.child.signalCode ?? server.child.exitCode).toBe(0)
  }, 240_000)

  it("the README's graceful shutdown sample closes streams with a close frame on SIGTERM and exits 0", async () => {
    await compiled()
    const port = await freePort()
    const server = startNode(app.dir, ['dist/shutdown.js'], { PORT: String(port) })
    running.push(server)
    await waitForHttp(`http://127.0.0.1:${port}/rt/negotiate`)
    const stream = await openSse(`http://127.0.0.1:${port}/rt/sse?channel=chat`)
    try {
      await stream.next(/^event: hello/m)
      server.child.kill('SIGTERM')
      await stream.next(/^event: close/m)
    } finally {
      stream.close()
    }
    await server.stop()
    expect(server.child.exitCode).toBe(0)
  }, 60_000)
})
