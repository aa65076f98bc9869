/** A tiny element builder: the page is small enough that a framework would be most of the bundle. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; text?: string; title?: string; data?: Record<string, string> } = {},
  children: readonly (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  if (props.class) node.className = props.class
  if (props.text !== undefined) node.textContent = props.text
  if (props.title) node.title = props.title
  if (props.data) for (const [k, v] of Object.entries(props.data)) node.dataset[k] = v
  for (const child of children) node.append(child)
  return node
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id)
  if (!node) throw new Error(`#${id} is missing from index.html`)
  return node as T
}

/** Batches DOM work to once per frame (or 100 ms in a hidden tab, where frames stop). */
export function scheduler(render: () => void): () => void {
  let pending = false
  const run = (): void => {
    if (!pending) return
    pending = false
    render()
  }
  return () => {
    if (pending) return
    pending = true
    requestAnimationFrame(run)
    setTimeout(run, 100)
  }
}

export function clock(at: Date = new Date()): string {
  return `${at.toLocaleTimeString(undefined, { hour12: false })}.${String(at.getMilliseconds()).padStart(3, '0')}`
}
