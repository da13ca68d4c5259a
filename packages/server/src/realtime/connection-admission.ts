/**
 * Per-IP limits on realtime connections (WebSocket and SSE alike): new connections per second
 * (`CONNECTS_PER_IP_PER_SEC`, the Limiter port) and open connections at once
 * (`CONNECTIONS_PER_IP`, the ConnectionSlots port), both over every node. A refused client gets
 * 429 with Retry-After before any upgrade or stream starts.
 */
import type { IncomingMessage } from "node:http";
import proxyAddr from "@fastify/proxy-addr";
import type { Metrics } from "../metrics.js";
import type { ConnectionSlots } from "../ports/connection-slots.js";
import type { Limiter } from "../ports/limiter.js";
import type { ProxyTrust } from "./origin.js";

export type Admission =
  | { admitted: true; release: () => void }
  | { admitted: false; retryAfterMs: number; reason: "rate" | "concurrent" };

/** A slot's holder retries after this long when every slot of its address is taken. */
const FULL_RETRY_MS = 5_000;

export class ConnectionAdmission {
  constructor(
    private readonly limiter: Limiter,
    private readonly slots: ConnectionSlots,
    private readonly maxPerAddress: number,
    private readonly metrics: Metrics,
  ) {}

  async admit(address: string): Promise<Admission> {
    // While the limiter's store (Redis) is unreachable connections are admitted, as the slots
    // are: this is abuse control, and refusing every viewer during an outage is worse.
    const rate = await this.limiter.consume("connect_ip", address).catch(() => ({ allowed: true }) as const);
    if (!rate.allowed) return this.refuse("rate", rate.retryAfterMs);
    if (!(await this.slots.acquire(address, this.maxPerAddress))) return this.refuse("concurrent", FULL_RETRY_MS);
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        void this.slots.release(address);
      },
    };
  }

  private refuse(reason: "rate" | "concurrent", retryAfterMs: number): Admission {
    this.metrics.connectionsRefused.inc({ reason });
    return { admitted: false, retryAfterMs, reason };
  }
}

/** The client's address of a raw request (a WebSocket upgrade), as Fastify's `request.ip` reads it. */
export function clientAddress(req: IncomingMessage, trust: ProxyTrust): string {
  return proxyAddr(req, trust);
}
