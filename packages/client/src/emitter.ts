/**
 * A minimal typed event emitter. A throwing listener must not break the SDK's frame loop or
 * starve the other listeners, so its exception is re-thrown on a fresh microtask: it still
 * surfaces (console in browsers, `uncaughtException` in Node) exactly like an exception
 * thrown from a DOM event listener.
 */
export function callSafely<A extends unknown[]>(fn: (...args: A) => void, ...args: A): void {
  try {
    fn(...args);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners: { [K in keyof Events]?: Set<(...args: Events[K]) => void> } = {};

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    const set = this.listeners[event] ?? new Set<(...args: Events[K]) => void>();
    this.listeners[event] = set;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.listeners[event];
    if (!set) return;
    for (const listener of [...set]) callSafely(listener, ...args);
  }
}
