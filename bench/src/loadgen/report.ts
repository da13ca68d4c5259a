/**
 * Output of a load run: a table for people (one column per result, so the benchmark can
 * put targets side by side) and the live progress line. The JSON line is the result objects
 * themselves, NaN written as null.
 */
import type { LoadResult, Progress } from "./run.js";

export function fmt(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function int(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "n/a" : Math.round(value).toLocaleString("en-US");
}

/** 123456789 → "117.7 MiB". */
export function bytes(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "n/a";
  const units = ["B", "KiB", "MiB", "GiB"];
  let v = value;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

function entries(record: Record<string, number>): string {
  const list = Object.entries(record).sort((a, b) => b[1] - a[1]);
  return list.length === 0 ? "none" : list.map(([k, n]) => `${k}×${n}`).join(", ");
}

type Row = [label: string, pick: (r: LoadResult) => string];

function rowsFor(results: readonly LoadResult[]): Row[] {
  const any = (p: (r: LoadResult) => boolean) => results.some(p);
  const rows: Row[] = [
    ["status", (r) => (r.ok ? "ok" : "FAILED")],
    ["subscribed / requested", (r) => `${int(r.subscribers.subscribed)} / ${int(r.subscribers.requested)}`],
    ["channels", (r) => int(r.channels)],
    ["connect phase (s)", (r) => fmt(r.subscribers.connectSec)],
    ["connect rate (subscribed/s)", (r) => int(r.subscribers.connectsPerSec)],
  ];
  if (any((r) => r.idle !== undefined)) {
    rows.push(
      ["server RSS before connecting", (r) => bytes(r.idle?.rssBeforeBytes)],
      ["server RSS all connected", (r) => bytes(r.idle?.rssAfterBytes)],
      ["RSS per connection (bytes)", (r) => int(r.idle?.rssPerConnectionBytes)],
    );
  }
  if (any((r) => r.publish !== undefined)) {
    rows.push(
      ["sent / acked", (r) => (r.publish ? `${int(r.publish.sent)} / ${int(r.publish.acked)}` : "n/a")],
      [
        "rejected / unanswered",
        (r) => (r.publish ? `${int(r.publish.rejected)} / ${int(r.publish.unanswered)}` : "n/a"),
      ],
      ["acks/s", (r) => int(r.publish?.acksPerSec)],
      [
        "ack p50 / p99 / max (ms)",
        (r) =>
          r.publish
            ? `${fmt(r.publish.ack.p50, 1)} / ${fmt(r.publish.ack.p99, 1)} / ${fmt(r.publish.ack.max, 1)}`
            : "n/a",
      ],
      ["deliveries / expected", (r) => `${int(r.deliveries)} / ${int(r.expectedDeliveries)}`],
      ["deliveries/s", (r) => int(r.deliveriesPerSec)],
      ["frames/s", (r) => int(r.framesPerSec)],
      ["bytes/s", (r) => bytes(r.bytesPerSec)],
      ["latency p50 (ms)", (r) => fmt(r.latency.p50, 2)],
      ["latency p95 (ms)", (r) => fmt(r.latency.p95, 2)],
      ["latency p99 (ms)", (r) => fmt(r.latency.p99, 2)],
      ["latency max (ms)", (r) => fmt(r.latency.max, 2)],
      ["lost (subscribers with loss)", (r) => `${int(r.counts.lost)} (${int(r.counts.subscribersWithLoss)})`],
      ["late: not there at the end", (r) => int(r.counts.late)],
      ["duplicates", (r) => int(r.counts.duplicates)],
      [
        "seq gaps / tail missing / dups",
        (r) => [r.counts.seqGaps, r.counts.seqTailMissing, r.counts.seqDuplicates].map(int).join(" / "),
      ],
      ["reconnects (not recovered)", (r) => `${int(r.reconnects)} (${int(r.notRecovered)})`],
    );
  }
  if (any((r) => r.slow !== undefined)) {
    rows.push(
      ["slow readers", (r) => int(r.slow?.subscribers)],
      ["slow: reconnects", (r) => int(r.slow?.reconnects)],
      ["slow: lost / seq gaps", (r) => (r.slow ? `${int(r.slow.counts.lost)} / ${int(r.slow.counts.seqGaps)}` : "n/a")],
      ["slow: latency p99 (ms)", (r) => fmt(r.slow?.latency.p99, 1)],
    );
  }
  if (any((r) => r.storm !== undefined)) {
    rows.push(
      ["storm: dropped at (s)", (r) => (r.storm ? `${int(r.storm.dropped)} at ${fmt(r.storm.atSec, 1)}` : "n/a")],
      ["storm: all back (s)", (r) => fmt(r.storm?.allBackSec, 2)],
      ["storm: all caught up (s)", (r) => fmt(r.storm?.caughtUpSec, 2)],
      ["storm: seq gaps", (r) => int(r.storm?.gaps)],
      [
        "storm: /healthz max (ms) (failed)",
        (r) => (r.storm ? `${fmt(r.storm.healthz.maxMs, 1)} (${int(r.storm.healthz.failures)})` : "n/a"),
      ],
    );
  }
  rows.push(
    ["server CPU (% of a core)", (r) => fmt(r.server.cpuPct, 0)],
    ["server RSS (end / peak)", (r) => `${bytes(r.server.rssBytes)} / ${bytes(r.server.rssPeakBytes)}`],
    ["generator workers CPU (% of a core)", (r) => fmt(r.generator.workersCpuPct, 0)],
  );
  return rows;
}

/** Column table; `extra` adds columns (e.g. ratios) keyed by row label. */
export function renderResults(
  results: readonly LoadResult[],
  extra?: { header: string; cells: Record<string, string> },
): string {
  const rows = rowsFor(results);
  const table: string[][] = [["", ...results.map((r) => r.label), ...(extra ? [extra.header] : [])]];
  for (const [label, pick] of rows)
    table.push([label, ...results.map(pick), ...(extra ? [extra.cells[label] ?? ""] : [])]);
  const widths = (table[0] ?? []).map((_, c) => Math.max(...table.map((r) => (r[c] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  ");
  const out = [line(table[0] ?? []), widths.map((w) => "-".repeat(w)).join("  "), ...table.slice(1).map(line)];
  for (const r of results) {
    const notes = [...r.notes];
    if (r.error) notes.unshift(`error: ${r.error}`);
    if (r.subscribers.failed > 0) notes.push(`connect failures: ${entries(r.subscribers.failures)}`);
    if (Object.keys(r.problems).length > 0) notes.push(`seen by subscribers: ${entries(r.problems)}`);
    if (r.publish && r.publish.rejected > 0) notes.push(`rejections: ${entries(r.publish.rejectedBy)}`);
    if (r.publish && r.publish.unanswered > 0) {
      notes.push(
        `${r.publish.unanswered} of ${r.publish.sent} messages were unanswered when the drain ended (the target fell behind)`,
      );
    }
    if (r.storm?.error) notes.push(`storm: ${r.storm.error}`);
    if (r.strays > 0) notes.push(`non-loadgen messages received: ${r.strays}`);
    if (r.negativeLatencies > 0) notes.push(`negative latencies (clock skew), counted as 0: ${r.negativeLatencies}`);
    if (notes.length > 0) out.push("", `${r.label}:`, ...notes.map((n) => `  - ${n}`));
  }
  return out.join("\n");
}

/** The live line: `[ 12s] publishing  connected 2,000/2,000  …`. */
export function progressLine(p: Progress): string {
  const rss = p.serverRssBytes === undefined ? "n/a" : bytes(p.serverRssBytes);
  return (
    `[${p.elapsedSec.toFixed(0).padStart(4)}s] ${p.phase.padEnd(10)} connected ${int(p.connected)}/${int(p.requested)}` +
    `${p.failed > 0 ? ` (failed ${int(p.failed)})` : ""}  deliveries/s ${int(p.deliveriesPerSec)}  p99 ${fmt(p.p99, 1)} ms` +
    `  lost ${int(p.lost)}  reconnects ${int(p.reconnects)}  acked ${int(p.acked)}` +
    `  server CPU ${fmt(p.serverCpuPct, 0)}% RSS ${rss}`
  );
}

/** JSON with NaN/Infinity as null (JSON.stringify does this already; undefined fields are dropped). */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value);
}
