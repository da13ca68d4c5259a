/**
 * Runs the channels' built-in connectors, each on exactly one node of the cluster: every node
 * scans the configured connectors now and then (and at once when this node changed one) and
 * starts those whose lease (`connector:<channel>:<platform>`) it can take. A connector stops
 * the moment its lease is lost, its configuration is removed or re-pointed, or the node shuts
 * down; a node that dies stops renewing, so after the lease's time to live another node's
 * scan takes it over. The runner records its state in the store, where every node's
 * `GET /connectors` reads it.
 */
import type { ConnectorState } from "@chorus/protocol";
import type { Logger } from "pino";
import type { Lease, Leases } from "../ports/lease.js";
import type { ConnectorRecord, Store } from "../ports/store.js";
import type { Connector, ConnectorSink, ConnectorStatus } from "./connector.js";

/** A connector for a platform and source, or null when this server cannot run that platform. */
export type ConnectorFactory = (platform: string, source: string, sink: ConnectorSink) => Connector | null;

export interface SupervisorOptions {
  /** How often every node looks for connectors nobody runs. */
  scanMs: number;
  /** `lastMessageAt` alone is written at most this often (state changes at once). */
  statusWriteMs: number;
  /** Platforms fed from outside (webhooks): configured like the others, never run here. */
  passive: ReadonlySet<string>;
}

interface Runner {
  record: ConnectorRecord;
  connector: Connector;
  lease: Lease;
  written: { state: ConnectorState; error: string | null; lastMessageAt: number | null };
  flush: NodeJS.Timeout;
}

export class ConnectorSupervisor {
  private readonly runners = new Map<string, Runner>();
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly leases: Leases,
    private readonly factory: ConnectorFactory,
    private readonly sinkFor: (channel: string, platform: string) => ConnectorSink,
    private readonly logger: Logger,
    private readonly options: SupervisorOptions,
    /** Told how many connectors this node runs, whenever that changes. */
    private readonly onRunning: (count: number) => void = () => undefined,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.scan(), this.options.scanMs);
    this.timer.unref();
    void this.scan();
  }

  /** Looks again now (a connector was configured or removed through this node). */
  poke(): Promise<void> {
    return this.scan();
  }

  /** Which connectors this node runs (`channel:platform`), for tests and metrics. */
  runningHere(): string[] {
    return [...this.runners.keys()];
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.scanning;
    await Promise.all([...this.runners.keys()].map((key) => this.stop(key)));
  }

  private scan(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = this.scanOnce()
      .catch((error: unknown) => this.logger.warn({ err: error }, "connector scan failed"))
      .finally(() => {
        this.scanning = null;
        if (this.again) {
          this.again = false;
          void this.scan();
        }
      });
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    const wanted = new Map(
      (await this.store.connectors.all())
        .filter((r) => !this.options.passive.has(r.platform))
        .map((r) => [keyOf(r), r]),
    );
    for (const [key, runner] of this.runners) {
      if (wanted.get(key)?.source !== runner.record.source) await this.stop(key);
    }
    for (const [key, record] of wanted) {
      if (this.closed || this.runners.has(key)) continue;
      const lease = await this.leases.tryAcquire(`connector:${key}`);
      if (lease) this.run(key, record, lease);
    }
  }

  private run(key: string, record: ConnectorRecord, lease: Lease): void {
    let connector: Connector | null;
    try {
      connector = this.factory(record.platform, record.source, this.sinkFor(record.channel, record.platform));
    } catch (error) {
      // A source the platform's connector refuses (PUT checks it, so only older data gets here).
      connector = null;
      this.logger.warn({ err: error, connector: key }, "connector could not be created");
    }
    if (!connector) {
      void this.write(record, {
        state: "error",
        error: `${record.platform} connectors are not configured on this server (or the source is not valid)`,
        lastMessageAt: null,
      });
      void lease.release();
      return;
    }
    const runner: Runner = {
      record,
      connector,
      lease,
      written: { state: record.state, error: record.error, lastMessageAt: record.lastMessageAt },
      // lastMessageAt changes with every message: written on a timer, not per message.
      flush: setInterval(() => this.persist(runner, connector.status(), false), this.options.statusWriteMs),
    };
    runner.flush.unref();
    this.runners.set(key, runner);
    this.onRunning(this.runners.size);
    connector.onStatus((status) => this.persist(runner, status, true));
    lease.onLost(() => {
      this.logger.warn({ connector: key }, "connector lease lost; stopping it here");
      void this.stop(key, false);
    });
    this.logger.info({ connector: key, source: record.source }, "connector started");
    connector.start();
  }

  private persist(runner: Runner, status: ConnectorStatus, stateChange: boolean): void {
    const next = { state: status.state, error: status.error ?? null, lastMessageAt: status.lastMessageAt };
    const w = runner.written;
    const changed = next.state !== w.state || next.error !== w.error;
    if (!changed && (stateChange || next.lastMessageAt === w.lastMessageAt)) return;
    runner.written = next;
    void this.write(runner.record, next);
  }

  private async write(
    record: ConnectorRecord,
    status: { state: ConnectorState; error: string | null; lastMessageAt: number | null },
  ): Promise<void> {
    await this.store.connectors
      .setStatus(record.channel, record.platform, record.source, status, Date.now())
      .catch((error: unknown) => this.logger.warn({ err: error }, "connector status write failed"));
  }

  private async stop(key: string, release = true): Promise<void> {
    const runner = this.runners.get(key);
    if (!runner) return;
    this.runners.delete(key);
    this.onRunning(this.runners.size);
    clearInterval(runner.flush);
    await runner.connector.stop().catch((error: unknown) => this.logger.warn({ err: error }, "connector stop failed"));
    if (release) await runner.lease.release().catch(() => undefined);
    this.logger.info({ connector: key }, "connector stopped");
  }
}

function keyOf(r: ConnectorRecord): string {
  return `${r.channel}:${r.platform}`;
}
