/**
 * Connection churn for the soak, next to the steady load (which `runLoad` drives unchanged):
 *
 * - `SubscriberChurn`: a group of subscribers in their own worker process (the load
 *   generator's `WorkerPool` and subscriber-worker.ts, the code the `storm` scenario uses).
 *   Each `cycle()` drops every connection of the group at once — the socket is destroyed
 *   without a close handshake, as a phone losing its network would — and each subscriber
 *   comes back after a jittered backoff and resumes from the last seq it saw. The workers'
 *   trackers count any seq the resume did not bring back (gaps) or brought twice.
 * - `PublisherReauth`: a registered (non-admin) user who, each `cycle()`, logs in for a new
 *   session, opens a WebSocket and authenticates with it, sends two messages to a channel
 *   of its own (not the load channel, so the load's loss accounting stays exact), and logs
 *   out — a session created and revoked, and a connection opened and closed, per cycle.
 */
import { randomBytes } from "node:crypto";
import type { GroupResult } from "../ipc.js";
import { HttpError, login } from "../loadgen/account.js";
import type { BackoffPlan } from "../loadgen/plan.js";
import { connectWsPublisher } from "../loadgen/publishers.js";
import { WorkerPool } from "../pool.js";
import type { ChannelPublisher, ClientSpec, PublishOutcome } from "../targets/types.js";
import { addCounts, type DeliveryCounts, emptyCounts } from "../tracker.js";

export interface ChurnFigures {
  subscribers: number;
  /** Completed drop-and-resume cycles (every subscriber of the group back). */
  cycles: number;
  /** Connections dropped, over all cycles. */
  dropped: number;
  /** Longest time from a drop until the whole group was subscribed again, s. */
  slowestBackSec: number;
  /** Cycles that did not complete (the group was not back in time, or a worker died). */
  failedCycles: number;
  /** Why, by message. */
  failures: Record<string, number>;
}

export interface ChurnResult extends ChurnFigures {
  connectFailed: number;
  counts: DeliveryCounts;
  notRecovered: number;
  problems: Record<string, number>;
}

export class SubscriberChurn {
  private readonly figures: ChurnFigures;
  private connectFailed = 0;
  private subscribed = 0;

  private constructor(
    private readonly pool: WorkerPool,
    subscribers: number,
  ) {
    this.figures = { subscribers, cycles: 0, dropped: 0, slowestBackSec: 0, failedCycles: 0, failures: {} };
  }

  /** Connects the group (one worker process) and resolves once every first connect settled. */
  static async start(options: {
    client: ClientSpec;
    channels: string[];
    subscribers: number;
    connectTimeoutSec: number;
    backoff: BackoffPlan;
  }): Promise<SubscriberChurn> {
    const pool = WorkerPool.start(1);
    const churn = new SubscriberChurn(pool, options.subscribers);
    try {
      const ready = await pool.connect(
        {
          spec: options.client,
          channels: options.channels,
          connectsPerSec: 100,
          connectTimeoutMs: options.connectTimeoutSec * 1000,
          transport: "ws",
          slowFraction: 0,
          slow: { pauseMs: 0, readMs: 0 },
          backoff: options.backoff,
        },
        options.subscribers,
        options.subscribers * 10 + options.connectTimeoutSec * 1000 + 30_000,
      );
      churn.connectFailed = ready.failed;
      churn.subscribed = ready.subscribed;
    } catch (err) {
      await pool.stop();
      throw err;
    }
    return churn;
  }

  get snapshot(): ChurnFigures & { reconnects: number; seqGaps: number; connected: number } {
    const p = this.pool.progress();
    return { ...this.figures, reconnects: p.reconnects, seqGaps: p.seqGaps, connected: p.connected };
  }

  /** Drops the whole group and resolves once it is back (or the cycle failed, counted). */
  async cycle(timeoutMs: number): Promise<void> {
    const dropAt = performance.timeOrigin + performance.now();
    try {
      const done = await this.pool.storm({}, timeoutMs);
      this.figures.cycles++;
      this.figures.dropped += this.subscribed;
      const backSec = (Math.max(...done.map((d) => d.backAtMs)) - dropAt) / 1000;
      this.figures.slowestBackSec = Math.max(this.figures.slowestBackSec, backSec);
    } catch (err) {
      this.figures.failedCycles++;
      const reason = (err instanceof Error ? err.message : String(err)).replace(/\d+/g, "N");
      this.figures.failures[reason] = (this.figures.failures[reason] ?? 0) + 1;
    }
  }

  /** What the group's trackers saw (no publisher record here: seq checks and duplicates), then stops it. */
  async finish(): Promise<ChurnResult> {
    const result: ChurnResult = {
      ...this.figures,
      connectFailed: this.connectFailed,
      counts: emptyCounts(),
      notRecovered: 0,
      problems: {},
    };
    try {
      const replies = await this.pool.collect({}, {}, 30_000);
      for (const w of replies) {
        for (const group of [w.fast, w.slow] satisfies GroupResult[]) addCounts(result.counts, group.counts);
        result.notRecovered += w.notRecovered;
        for (const [kind, n] of Object.entries(w.problems)) result.problems[kind] = (result.problems[kind] ?? 0) + n;
      }
    } catch (err) {
      const reason = `collect: ${err instanceof Error ? err.message : String(err)}`;
      result.failures[reason] = (result.failures[reason] ?? 0) + 1;
      result.failedCycles++;
    } finally {
      await this.pool.stop();
    }
    return result;
  }
}

/** Errors of the churning subscribers: every one of them should be zero. */
export function churnErrors(r: ChurnResult): Record<string, number> {
  const counts: Record<string, number> = {
    "churn: connects failed": r.connectFailed,
    "churn: cycles not back in time": r.failedCycles,
    "churn: seq gaps after resume": r.counts.seqGaps,
    "churn: seq duplicates after resume": r.counts.seqDuplicates,
    "churn: duplicate deliveries": r.counts.duplicates,
    "churn: resumes not recovered": r.notRecovered,
  };
  // Dropping on purpose reports nothing; any problem is a close or frame nobody asked for.
  for (const [kind, n] of Object.entries(r.problems)) counts[`churn subscribers saw: ${kind}`] = n;
  return counts;
}

const PUBLISH_TIMEOUT_MS = 10_000;
const MESSAGES_PER_CYCLE = 2;

export interface ReauthFigures {
  cycles: number;
  published: number;
  /** Failed steps by name (`login`, `connect`, `publish:<code>`, `logout`). */
  failures: Record<string, number>;
}

export class PublisherReauth {
  readonly figures: ReauthFigures = { cycles: 0, published: 0, failures: {} };

  private constructor(
    private readonly httpBase: string,
    private readonly wsUrl: string,
    private readonly channel: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  /** Registers the publisher's account (`POST /api/auth/register`) and logs that first session out. */
  static async create(httpBase: string, wsUrl: string, channel: string, username: string): Promise<PublisherReauth> {
    const password = randomBytes(18).toString("base64url");
    const res = await fetch(`${httpBase}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => undefined)) as { token?: unknown } | undefined;
    if (res.status !== 201 || typeof body?.token !== "string") {
      throw new HttpError(`could not register "${username}": HTTP ${res.status}`, res.status);
    }
    const reauth = new PublisherReauth(httpBase, wsUrl, channel, username, password);
    await reauth.logout(body.token);
    return reauth;
  }

  private fail(step: string): void {
    this.figures.failures[step] = (this.figures.failures[step] ?? 0) + 1;
  }

  private async logout(token: string): Promise<void> {
    const res = await fetch(`${this.httpBase}/api/auth/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    if (res.status !== 204) throw new HttpError(`logout answered HTTP ${res.status}`, res.status);
  }

  private publish(publisher: ChannelPublisher, text: string, nonce: string): Promise<PublishOutcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, code: "timeout" }), PUBLISH_TIMEOUT_MS);
      publisher.send(this.channel, text, nonce, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
    });
  }

  /** Log in, connect, publish, disconnect, log out; a failed step is counted and ends the cycle. */
  async cycle(): Promise<void> {
    const n = this.figures.cycles++;
    let token: string;
    try {
      token = await login(this.httpBase, this.username, this.password);
    } catch {
      this.fail("login");
      return;
    }
    let publisher: ChannelPublisher | undefined;
    try {
      publisher = await connectWsPublisher(this.wsUrl, token);
    } catch {
      this.fail("connect");
    }
    if (publisher) {
      const active = publisher;
      const outcomes = await Promise.all(
        Array.from({ length: MESSAGES_PER_CYCLE }, (_, k) =>
          this.publish(active, `soak publisher session ${n}, message ${k + 1}`, `soak-${n}-${k}`),
        ),
      );
      for (const outcome of outcomes) {
        if (outcome.ok) this.figures.published++;
        else this.fail(`publish:${outcome.code}`);
      }
      active.close();
    }
    try {
      await this.logout(token);
    } catch {
      this.fail("logout");
    }
  }
}

export function reauthErrors(f: ReauthFigures): Record<string, number> {
  return Object.fromEntries(Object.entries(f.failures).map(([step, n]) => [`re-auth publisher: ${step}`, n]));
}
