/** ClusterBus over Redis pub/sub (a dedicated subscriber connection). At-most-once, like pub/sub. */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { BusMessage, ClusterBus } from "../../ports/bus.js";
import { BUS_CHANNEL } from "./keys.js";

export class RedisBus implements ClusterBus {
  private readonly handlers = new Set<(message: BusMessage) => void>();

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
  ) {}

  static async open(publisher: Redis, subscriber: Redis, logger: Logger): Promise<RedisBus> {
    const bus = new RedisBus(publisher, subscriber);
    subscriber.on("message", (channel: string, payload: string) => {
      if (channel !== BUS_CHANNEL) return;
      try {
        const message = JSON.parse(payload) as BusMessage;
        for (const handler of bus.handlers) handler(message);
      } catch (error) {
        logger.warn({ err: error }, "ignoring malformed bus message");
      }
    });
    await subscriber.subscribe(BUS_CHANNEL);
    return bus;
  }

  async publish(message: BusMessage): Promise<void> {
    await this.publisher.publish(BUS_CHANNEL, JSON.stringify(message));
  }

  subscribe(handler: (message: BusMessage) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
    await this.subscriber.unsubscribe(BUS_CHANNEL).catch(() => undefined);
  }
}
