/**
 * Named one-shot timers. Every timer the SDK starts goes through one of these (or is owned
 * by a pending send), so that `close()` can prove nothing is left to keep a Node process
 * alive.
 */
export class Timers<Name extends string> {
  private readonly handles = new Map<Name, ReturnType<typeof setTimeout>>();

  /** Starts `fn` after `ms`, replacing any timer of the same name. */
  set(name: Name, ms: number, fn: () => void): void {
    this.clear(name);
    this.handles.set(
      name,
      setTimeout(() => {
        this.handles.delete(name);
        fn();
      }, ms),
    );
  }

  clear(...names: Name[]): void {
    for (const name of names) {
      const handle = this.handles.get(name);
      if (handle !== undefined) clearTimeout(handle);
      this.handles.delete(name);
    }
  }

  clearAll(): void {
    for (const handle of this.handles.values()) clearTimeout(handle);
    this.handles.clear();
  }

  get size(): number {
    return this.handles.size;
  }
}
