/**
 * The benchmark's output: a table (one column per target, plus Chorus ÷ socket.io) for
 * people, then exactly one JSON line (last line of stdout) for scripts.
 */
import type { Options } from "./options.js";
import type { PublishReport } from "./publisher.js";
import { type LatencySummary, ratio } from "./stats.js";
import type { TargetName } from "./targets/types.js";
import type { DeliveryCounts } from "./tracker.js";

export interface TargetResult {
  target: TargetName;
  label: string;
  ok: boolean;
  /** Why the run of this target failed or is incomplete. */
  error?: string;
  subscribers: { requested: number; subscribed: number; failed: number; failures: Record<string, number> };
  connectSec: number;
  publish?: Omit<PublishReport, "acknowledged">;
  /** First deliveries of acknowledged and unacknowledged bench messages. */
  deliveries: number;
  /** acked × subscribed. */
  expectedDeliveries: number;
  /** deliveries ÷ (last receive − first send). */
  deliveriesPerSec: number;
  latency: LatencySummary;
  negativeLatencies: number;
  counts: DeliveryCounts;
  problems: Record<string, number>;
  strays: number;
  /**
   * CPU from the first send to the end of the drain, in % of one core: the target's server,
   * the subscriber workers, the publisher (this process) and everything else on the machine.
   */
  cpu: { windowSec: number; serverPct: number; workersPct: number; publisherPct: number; otherPct: number };
  /** Server output, kept when something went wrong. */
  serverLogTail?: string[];
}

export interface Ratios {
  deliveriesPerSec: number;
  p50: number;
  p99: number;
  max: number;
}

function fmt(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function int(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "n/a" : Math.round(value).toLocaleString("en-US");
}

function entries(record: Record<string, number>): string {
  const list = Object.entries(record).sort((a, b) => b[1] - a[1]);
  return list.length === 0 ? "none" : list.map(([k, n]) => `${k}×${n}`).join(", ");
}

export function computeRatios(results: readonly TargetResult[]): Ratios | undefined {
  const chorus = results.find((r) => r.target === "chorus" && r.ok);
  const peer = results.find((r) => r.target === "socketio" && r.ok);
  if (!chorus || !peer) return undefined;
  return {
    deliveriesPerSec: ratio(chorus.deliveriesPerSec, peer.deliveriesPerSec),
    p50: ratio(chorus.latency.p50, peer.latency.p50),
    p99: ratio(chorus.latency.p99, peer.latency.p99),
    max: ratio(chorus.latency.max, peer.latency.max),
  };
}

/** Warnings about the machine rather than the target: saturated CPUs, a saturated generator. */
function saturationNotes(r: TargetResult, workers: number, cpus: number): string[] {
  const notes: string[] = [];
  const used = r.cpu.serverPct + r.cpu.workersPct + r.cpu.publisherPct + r.cpu.otherPct;
  if (used > 0.9 * cpus * 100) {
    notes.push(
      `the CPUs were saturated (${fmt(used, 0)}% of ${cpus * 100}% used): server and load generator competed ` +
        "for them, so these figures are a lower bound of what the target can do on its own",
    );
  }
  if (r.cpu.serverPct > 85) {
    notes.push(`the server used ${fmt(r.cpu.serverPct, 0)}% of a core: its (single) event loop was at its limit`);
  }
  const perWorker = r.cpu.workersPct / workers;
  if (perWorker > 75) {
    notes.push(
      `subscriber workers averaged ${fmt(perWorker, 0)}% of a core each: the generator may be the bottleneck ` +
        "(late deliveries can be the clients' fault; try more --workers or fewer subscribers)",
    );
  }
  return notes;
}

/** The table for people; `cpus` is the machine's CPU count. */
export function renderTable(
  options: Options,
  results: readonly TargetResult[],
  ratios: Ratios | undefined,
  cpus: number,
): string {
  const rows: [string, ...string[]][] = [];
  const row = (label: string, pick: (r: TargetResult) => string, ratioCell = "") =>
    rows.push([label, ...results.map(pick), ...(ratios ? [ratioCell] : [])]);
  rows.push(["", ...results.map((r) => r.label), ...(ratios ? ["Chorus ÷ socket.io"] : [])]);
  row("status", (r) => (r.ok ? "ok" : "FAILED"));
  row("subscribed", (r) => `${int(r.subscribers.subscribed)} / ${int(r.subscribers.requested)}`);
  row("connect phase (s)", (r) => fmt(r.connectSec));
  row("sent / acked", (r) => (r.publish ? `${int(r.publish.sent)} / ${int(r.publish.acked)}` : "n/a"));
  row("rejected / unanswered", (r) =>
    r.publish ? `${int(r.publish.rejected)} / ${int(r.publish.unanswered)}` : "n/a",
  );
  row("ack p50 / p99 (ms)", (r) => (r.publish ? `${fmt(r.publish.ack.p50, 2)} / ${fmt(r.publish.ack.p99, 2)}` : "n/a"));
  row("deliveries / (acked × subscribed)", (r) => `${int(r.deliveries)} / ${int(r.expectedDeliveries)}`);
  row("deliveries/s", (r) => int(r.deliveriesPerSec), fmt(ratios?.deliveriesPerSec, 2));
  row("latency p50 (ms)", (r) => fmt(r.latency.p50, 2), fmt(ratios?.p50, 2));
  row("latency p90 (ms)", (r) => fmt(r.latency.p90, 2));
  row("latency p99 (ms)", (r) => fmt(r.latency.p99, 2), fmt(ratios?.p99, 2));
  row("latency p99.9 (ms)", (r) => fmt(r.latency.p999, 2));
  row("latency max (ms)", (r) => fmt(r.latency.max, 2), fmt(ratios?.max, 2));
  row("lost: holes (subscribers)", (r) => `${int(r.counts.lost)} (${int(r.counts.subscribersWithLoss)})`);
  row("late: acked, not there at end (subs)", (r) => `${int(r.counts.late)} (${int(r.counts.subscribersBehind)})`);
  row("undelivered at end (of all sent)", (r) => int(r.counts.undelivered));
  row("duplicates", (r) => int(r.counts.duplicates));
  row("seq gaps / tail missing / dups", (r) =>
    [r.counts.seqGaps, r.counts.seqTailMissing, r.counts.seqDuplicates].map(int).join(" / "),
  );
  row("server CPU (% of a core)", (r) => fmt(r.cpu.serverPct, 0));
  row("workers CPU (% of a core)", (r) => fmt(r.cpu.workersPct, 0));
  row("publisher CPU (% of a core)", (r) => fmt(r.cpu.publisherPct, 0));
  row("other processes CPU (% of a core)", (r) => fmt(r.cpu.otherPct, 0));
  row("publisher max lag (ms)", (r) => (r.publish ? fmt(r.publish.maxScheduleLagMs, 1) : "n/a"));

  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  const out = [
    `fan-out: ${options.subscribers} subscribers, ${options.rate} msg/s for ${options.durationSec} s, ` +
      `${options.size}-char texts, ${options.workers} worker(s)`,
    "",
    line(rows[0]!),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.slice(1).map(line),
  ];
  for (const r of results) {
    const notes: string[] = [];
    if (r.error) notes.push(`error: ${r.error}`);
    if (r.subscribers.failed > 0) notes.push(`connect failures: ${entries(r.subscribers.failures)}`);
    if (Object.keys(r.problems).length > 0) notes.push(`problems seen by subscribers: ${entries(r.problems)}`);
    if (r.publish && r.publish.rejected > 0) notes.push(`rejections: ${entries(r.publish.rejectedBy)}`);
    if (r.publish && r.publish.unanswered > 0) {
      notes.push(
        `${r.publish.unanswered} of ${r.publish.sent} messages were still unanswered when the drain period ended ` +
          "(the target fell behind); latency percentiles cover delivered messages only",
      );
    }
    if (r.counts.unacknowledged > 0) notes.push(`delivered but never acked: ${r.counts.unacknowledged}`);
    if (r.strays > 0) notes.push(`non-bench messages received: ${r.strays}`);
    if (r.ok) notes.push(...saturationNotes(r, options.workers, cpus));
    if (r.cpu.otherPct > 20) {
      notes.push(`other processes used ${fmt(r.cpu.otherPct, 0)}% of a core during the measurement: not a clean run`);
    }
    if (r.negativeLatencies > 0) notes.push(`negative latencies (clock skew), counted as 0: ${r.negativeLatencies}`);
    if (r.serverLogTail && r.serverLogTail.length > 0) {
      notes.push(`server output (last lines):\n      ${r.serverLogTail.slice(-10).join("\n      ")}`);
    }
    if (notes.length > 0) out.push("", `${r.label}:`, ...notes.map((n) => `  - ${n}`));
  }
  if (ratios) {
    out.push(
      "",
      `Chorus ÷ socket.io: deliveries/s ×${fmt(ratios.deliveriesPerSec, 2)} (higher is better), ` +
        `p99 latency ×${fmt(ratios.p99, 2)} (lower is better)`,
    );
  }
  return out.join("\n");
}

/** The single JSON line; NaN becomes null. */
export function renderJson(
  meta: { date: string; node: string; nproc: number; commit: string | null },
  options: Options,
  results: readonly TargetResult[],
  ratios: Ratios | undefined,
): string {
  return JSON.stringify({ bench: "fanout", ...meta, options, results, ratios: ratios ?? null });
}
