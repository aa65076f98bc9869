import { readFileSync } from 'node:fs'
import { CoreErrors, type ErrorKind } from '@pushline/core'
import { describe, expect, it } from 'vitest'
import { ServerErrors } from '../src/errors.js'

// docs/errors.md is the one table of codes; it must say what the declarations say (fix the doc from `expected`).
const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8')

/** The rows of the first table after `heading`, as cells. */
function tableAfter(heading: string): string[][] {
  const start = doc.indexOf(heading)
  expect(start, `docs/errors.md has "${heading}"`).toBeGreaterThanOrEqual(0)
  const lines = doc.slice(start).split('\n')
  const first = lines.findIndex((line) => line.startsWith('|'))
  const rows: string[][] = []
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    )
  }
  return rows
}

function httpCell(kind: ErrorKind): string {
  switch (kind.http) {
    case 'answer':
      return String(kind.status)
    case 'retry':
      return `${kind.status} + \`Retry-After\``
    case 'close-frame':
      return '(close frame)'
    case 'none':
      return '–'
  }
}

function wsCell(kind: ErrorKind): string {
  if (typeof kind.ws === 'number') return String(kind.ws)
  if (kind.ws === 'before-upgrade') return `(${kind.status} before upgrade)`
  return kind.ws === 'error-frame' ? '(error frame)' : '–'
}

describe('docs/errors.md', () => {
  it('tables every server error as declared: code, HTTP, WebSocket close, meaning', () => {
    const expected = Object.values(ServerErrors).map((kind) => [`\`${kind.code}\``, httpCell(kind), wsCell(kind), kind.meaning])
    const rendered = expected.map((row) => `| ${row.join(' | ')} |`).join('\n')
    expect(tableAfter('## Server'), `expected:\n${rendered}`).toEqual(expected)
  })

  it('tables every core error with its declared status', () => {
    const expected = Object.values(CoreErrors).map((kind) => [`\`${kind.code}\``, String(kind.status)])
    expect(tableAfter('## Core').map((row) => row.slice(0, 2))).toEqual(expected)
  })

  it('declares each code once', () => {
    const codes = [...Object.values(CoreErrors), ...Object.values(ServerErrors)].map((kind) => kind.code)
    expect(new Set(codes).size).toBe(codes.length)
  })
})
