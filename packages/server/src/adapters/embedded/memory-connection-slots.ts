/** In-process ConnectionSlots: one node, so a count per key is the whole truth. */
import type { ConnectionSlots } from "../../ports/connection-slots.js";

export class MemoryConnectionSlots implements ConnectionSlots {
  private readonly held = new Map<string, number>();

  async acquire(key: string, max: number): Promise<boolean> {
    const count = this.held.get(key) ?? 0;
    if (count >= max) return false;
    this.held.set(key, count + 1);
    return true;
  }

  async release(key: string): Promise<void> {
    const count = this.held.get(key) ?? 0;
    if (count <= 1) this.held.delete(key);
    else this.held.set(key, count - 1);
  }

  async close(): Promise<void> {
    this.held.clear();
  }
}
