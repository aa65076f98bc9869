/** A minimal typed event emitter: `on` returns its own `off`; a throwing listener does not stop the others. */
export interface Emitter<Events> {
  on<K extends keyof Events>(name: K, listener: (value: Events[K]) => void): () => void
  emit<K extends keyof Events>(name: K, value: Events[K]): void
}

export function emitter<Events>(): Emitter<Events> {
  const listeners: { [K in keyof Events]?: Set<(value: Events[K]) => void> } = {}
  return {
    on(name, listener) {
      const set = listeners[name] ?? new Set()
      listeners[name] = set
      set.add(listener)
      return () => void set.delete(listener)
    },
    emit(name, value) {
      listeners[name]?.forEach((listener) => {
        try {
          listener(value)
        } catch (error) {
          // an application bug must not break delivery: rethrow it outside, like any uncaught error
          queueMicrotask(() => {
            throw error
          })
        }
      })
    },
  }
}
