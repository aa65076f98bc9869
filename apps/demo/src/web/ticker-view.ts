import type { TickerData } from '../server/channels.js'
import { el } from './dom.js'

interface Tile {
  readonly root: HTMLElement
  readonly price: HTMLElement
  readonly change: HTMLElement
  readonly spark: number[]
  readonly line: SVGPolylineElement
}

const SPARK_POINTS = 40
const SVG_NS = 'http://www.w3.org/2000/svg'

/** One tile per symbol with its price, last change and a small sparkline, updated on every `ticker` event. */
export function createTickerView(container: HTMLElement): (data: TickerData) => void {
  const tiles = new Map<string, Tile>()
  container.append(el('p', { class: 'empty', text: 'Waiting for the first tick…' }))

  const tileFor = (symbol: string): Tile => {
    let tile = tiles.get(symbol)
    if (tile) return tile
    container.querySelector('.empty')?.remove()
    const price = el('div', { class: 'price' })
    const change = el('div', { class: 'change' })
    const svg = document.createElementNS(SVG_NS, 'svg')
    svg.setAttribute('viewBox', `0 0 ${SPARK_POINTS - 1} 20`)
    svg.setAttribute('preserveAspectRatio', 'none')
    svg.classList.add('spark')
    const line = document.createElementNS(SVG_NS, 'polyline')
    svg.append(line)
    const root = el('div', { class: 'tile', data: { symbol } }, [el('div', { class: 'symbol', text: symbol }), price, change, svg])
    tile = { root, price, change, spark: [], line }
    tiles.set(symbol, tile)
    container.append(...[...tiles.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, t]) => t.root))
    return tile
  }

  return (data) => {
    const tile = tileFor(data.symbol)
    tile.price.textContent = data.price.toFixed(2)
    const up = data.change >= 0
    tile.change.textContent = `${up ? '▲' : '▼'} ${Math.abs(data.change).toFixed(2)}`
    tile.root.classList.toggle('up', up)
    tile.root.classList.toggle('down', !up)
    tile.root.classList.remove('flash')
    void tile.root.offsetWidth // restart the flash animation
    tile.root.classList.add('flash')
    tile.spark.push(data.price)
    if (tile.spark.length > SPARK_POINTS) tile.spark.shift()
    const min = Math.min(...tile.spark)
    const span = Math.max(...tile.spark) - min || 1
    // Spread whatever points there are over the full width, so that a young sparkline is not squeezed to the left.
    const step = (SPARK_POINTS - 1) / Math.max(1, tile.spark.length - 1)
    tile.line.setAttribute(
      'points',
      tile.spark.map((p, i) => `${(i * step).toFixed(2)},${(19 - ((p - min) / span) * 18).toFixed(2)}`).join(' '),
    )
  }
}
