/** In-process ClusterBus: one node is the whole cluster. */
import type { BusMessage, ClusterBus } from "../../ports/bus.js";

export class MemoryBus implements ClusterBus {
  private readonly handlers = new Set<(message: BusMessage) => void>();

  async publish(message: BusMessage): Promise<void> {
    for (const handler of this.handlers) handler(message);
  }

  subscribe(handler: (message: BusMessage) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
