import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The e2e suite's proxy configurations (e2e/nginx/*.conf, read as they are), filled the way e2e/fixtures/nginx.ts
 * fills them: {{NAME}} {{PORT}} {{UPSTREAM}}. A copy of that templating, so the bench needs nothing from e2e's code.
 */
export const SETTLE_CASES = ['good', 'no-upgrade', 'buffering', 'short-timeout'] as const
export type SettleCase = (typeof SETTLE_CASES)[number]

const TEMPLATES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../e2e/nginx')

export function renderCase(name: SettleCase, port: number, upstream: number): string {
  const template = readFileSync(join(TEMPLATES, `${name}.conf`), 'utf8')
  return template.replaceAll('{{NAME}}', name).replaceAll('{{PORT}}', String(port)).replaceAll('{{UPSTREAM}}', String(upstream))
}
