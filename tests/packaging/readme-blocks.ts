import { readFileSync } from 'node:fs'

/** One fenced code block of a markdown file. `file` is set when its first line is `// file: <name>`. */
export interface CodeBlock {
  readonly lang: string
  readonly code: string
  readonly file: string | undefined
  /** 1-based line of the opening fence, for error messages. */
  readonly line: number
}

const FILE_MARKER = /^\/\/ file: (\S+)\s*$/

/** Every fenced block (``` or ~~~) of `path`, in order. The docs are the source: the tests only read them. */
export function codeBlocks(path: string): CodeBlock[] {
  const lines = readFileSync(path, 'utf8').split('\n')
  const blocks: CodeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(```|~~~)\s*([\w-]*)/.exec(lines[i] ?? '')
    if (!open) continue
    const fence = open[1] ?? '```'
    const body: string[] = []
    let j = i + 1
    while (j < lines.length && !(lines[j] ?? '').startsWith(fence)) body.push(lines[j++] ?? '')
    const marker = FILE_MARKER.exec(body[0] ?? '')
    blocks.push({ lang: open[2] ?? '', code: `${body.join('\n')}\n`, file: marker?.[1], line: i + 1 })
    i = j
  }
  return blocks
}

/** The blocks of one language, e.g. every `ts` sample. */
export function blocksOf(path: string, lang: string): CodeBlock[] {
  return codeBlocks(path).filter((block) => block.lang === lang)
}

/** The one block of `lang` under the heading `heading` (the first block after it); throws when it is missing. */
export function blockUnder(path: string, heading: string, lang: string): CodeBlock {
  const lines = readFileSync(path, 'utf8').split('\n')
  const at = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '').trim() === heading)
  if (at < 0) throw new Error(`${path}: no heading "${heading}"`)
  const level = /^#+/.exec(lines[at] ?? '')?.[0].length ?? 1
  const blocks = codeBlocks(path)
  const inside = (line: number) => !blocks.some((b) => b.line - 1 < line && line < b.line + b.code.split('\n').length)
  const next = lines.findIndex((line, i) => i > at && inside(i) && /^#+ /.test(line) && (/^#+/.exec(line)?.[0].length ?? 1) <= level)
  const end = next < 0 ? lines.length : next
  // Line numbers of blocks are 1-based; `at` and `end` are 0-based indexes of heading lines.
  const block = blocks.find((b) => b.line > at + 1 && b.line <= end && b.lang === lang)
  if (!block) throw new Error(`${path}: no ${lang} block under "${heading}"`)
  return block
}
