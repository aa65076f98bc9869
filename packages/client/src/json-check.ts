/**
 * `value` as JSON text, or undefined when JSON cannot carry it faithfully: what `JSON.stringify` would drop, change
 * or throw on (undefined, functions, symbols, BigInt, NaN/Infinity, class instances such as Date, Map or Uint8Array,
 * cycles) is refused before anything is sent.
 */
export function plainJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, function (this: Record<string, unknown>, key: string) {
      // `this[key]` is the value before any toJSON() (a Date would already be a string)
      const raw = this[key]
      const type = typeof raw
      if (type === 'number' ? !Number.isFinite(raw) : type !== 'string' && type !== 'boolean' && type !== 'object') throw 0
      if (raw && type === 'object' && !Array.isArray(raw) && ![Object.prototype, null].includes(Object.getPrototypeOf(raw))) throw 0
      return raw
    })
  } catch {
    return undefined
  }
}
