/**
 * ClusterBus over Redis pub/sub (a dedicated subscriber connection). At-most-once, like
 * pub/sub; the publisher's own node hears its messages back from Redis, so delivery is
 * never inside `publish`.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { BusHandler, BusMessage, ClusterBus } from "../../ports/bus.js";
import { BUS_CHANNEL } from "./keys.js";

export class RedisBus implements ClusterBus {
  private readonly handlers = new Set<BusHandler>();
  private readonly onMessage = (channel: string, payload: string) => {
    if (channel !== BUS_CHANNEL) return;
    let message: BusMessage;
    try {
      message = JSON.parse(payload) as BusMessage;
    } catch (error) {
      this.logger.warn({ err: error }, "ignoring malformed bus message");
      return;
    }
    for (const handler of this.handlers) {
      try {
        handler(message);
      } catch (error) {
        this.logger.error({ err: error, type: message.type }, "bus subscriber threw");
      }
    }
  };

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly logger: Logger,
  ) {}

  static async open(publisher: Redis, subscriber: Redis, logger: Logger): Promise<RedisBus> {
    const bus = new RedisBus(publisher, subscriber, logger);
    subscriber.on("message", bus.onMessage);
    await subscriber.subscribe(BUS_CHANNEL);
    return bus;
  }

  async publish(message: BusMessage): Promise<void> {
    await this.publisher.publish(BUS_CHANNEL, JSON.stringify(message));
  }

  subscribe(handler: BusHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
    this.subscriber.off("message", this.onMessage);
    // The subscriber's commands wait for a connection (no retry limit, see open-adapters.ts):
    // at shutdown, with Redis away, do not wait for one.
    if (this.subscriber.status !== "ready") return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.subscriber.unsubscribe(BUS_CHANNEL).catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 1_000);
      }),
    ]);
    clearTimeout(timer);
  }
}
