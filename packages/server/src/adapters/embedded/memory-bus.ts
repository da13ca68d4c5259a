/**
 * In-process ClusterBus: one node is the whole cluster. Messages are delivered in a
 * microtask after `publish`, never inside it, as they are on Redis (a caller that publishes
 * and then reads state its own subscribers change must not depend on the embedded timing).
 */
import type { Logger } from "pino";
import type { BusHandler, BusMessage, ClusterBus } from "../../ports/bus.js";

export class MemoryBus implements ClusterBus {
  private readonly handlers = new Set<BusHandler>();

  constructor(private readonly logger: Logger | null = null) {}

  async publish(message: BusMessage): Promise<void> {
    queueMicrotask(() => {
      for (const handler of this.handlers) {
        try {
          handler(message);
        } catch (error) {
          this.logger?.error({ err: error, type: message.type }, "bus subscriber threw");
        }
      }
    });
  }

  subscribe(handler: BusHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
