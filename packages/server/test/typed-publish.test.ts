import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

// app.pushline.publish is typed by the channels an app declares in Register: the sample compiles only if the
// declared names and data are accepted and the @ts-expect-error lines (an undeclared name, wrong data) do fail.
it('types app.pushline.publish by the channels declared in Register', async () => {
  const project = fileURLToPath(new URL('./types/tsconfig.json', import.meta.url))
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', project], { encoding: 'utf8' }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  )
  expect(result).toEqual({ code: 0, stdout: '' })
}, 60_000)
