import { build } from 'esbuild'
import { gzipSync } from 'node:zlib'
const r = await build({ entryPoints: [process.argv[2]], bundle: true, format: 'esm', platform: 'browser', minify: true, write: false, logLevel: 'silent', nodePaths: ['/work/main/packages/client/node_modules'] })
console.log(gzipSync(r.outputFiles[0].contents, { level: 9 }).length)
