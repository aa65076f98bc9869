// Measures what a browser app pays for the whole client (all four transports): esbuild bundles src/index.ts for the
// browser, minified, and node:zlib gzips it (level 9). Prints the figure; `--json` prints it as JSON for the test.
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export async function measure() {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].contents
  return {
    minified: code.length,
    gzipped: gzipSync(code, { level: 9 }).length,
    // modules that left bytes in the output (esbuild also lists those it parsed and then shook out)
    inputs: Object.entries(Object.values(result.metafile.outputs)[0].inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { minified, gzipped, inputs } = await measure()
  if (process.argv.includes('--json')) console.log(JSON.stringify({ minified, gzipped, inputs }))
  else console.log(`@pushline/client browser bundle: ${minified} B minified, ${gzipped} B gzipped (${(gzipped / 1024).toFixed(2)} KB)`)
}
