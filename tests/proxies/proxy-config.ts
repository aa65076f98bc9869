import { resolve } from 'node:path'
import { blockUnder } from '../packaging/readme-blocks.js'

export const README = resolve(import.meta.dirname, '../../README.md')

/**
 * The README's config block under `heading`, with exactly the given line edits (the ports: the README says 8080
 * and 3000; the tests listen on loopback, on free ports). Throws unless each pattern matches exactly once, so a
 * README edit cannot silently leave the test running some other config.
 */
export function readmeConfig(heading: string, lang: string, edits: readonly (readonly [RegExp, string])[]): string {
  let text = blockUnder(README, heading, lang).code
  for (const [pattern, replacement] of edits) {
    const found = text.match(new RegExp(pattern.source, 'g')) ?? []
    if (found.length !== 1) throw new Error(`README "${heading}": expected one match of ${pattern}, found ${found.length}`)
    text = text.replace(pattern, replacement)
  }
  return text
}
