/** The soak's report for people, and its one-line progress. */
import { bytes, fmt, int } from "../loadgen/report.js";
import { JUDGED_FROM_MINUTES, SLOPE_LIMIT_PCT_PER_HOUR, type Trend } from "./analysis.js";
import type { SoakReport, SoakSample } from "./run.js";

function mmss(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function signed(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return "n/a";
  return `${value >= 0 ? "+" : ""}${fmt(value, digits)}`;
}

function ms(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? "n/a" : `${fmt(value, digits)} ms`;
}

/** `[ 12:30] publishing  heap 52.1 MiB (GC'd 48.0 MiB)  RSS 610.2 MiB  ELD p99 14.2 ms …` */
export function sampleLine(s: SoakSample, minutes: number): string {
  return (
    `[${mmss(s.atSec).padStart(6)} / ${mmss(minutes * 60)}] ${s.phase.padEnd(10)} ` +
    `heap ${bytes(s.heapUsedBytes ?? undefined)}` +
    (s.heapAfterGcBytes !== null ? ` (after GC ${bytes(s.heapAfterGcBytes)}, ${ms(s.gcMs, 0)})` : "") +
    `  RSS ${bytes(s.rssBytes ?? undefined)}  ELD p99 ${ms(s.eventLoopP99Ms)}  CPU ${fmt(s.cpuPct ?? undefined, 0)}%` +
    `  connections ${int(s.connections ?? undefined)}  accepted ${int(s.messagesAccepted ?? undefined)}` +
    (s.churn ? `  churn cycles ${int(s.churn.cycles)}` : "") +
    `  errors ${int(s.errorsSoFar)}`
  );
}

function trendRow(label: string, t: Trend | null): string[] {
  if (!t) return [label, "n/a", "n/a", "n/a", "n/a", "too few samples after the warm-up"];
  return [
    label,
    bytes(t.first),
    bytes(t.last),
    bytes(t.mean),
    `${signed(t.slopePctPerHour, 2)} %/h`,
    `± ${fmt(t.stderrPctPerHour, 2)} (${signed(t.slopePerHour / 1024 / 1024, 2)} MiB/h, ${int(t.points)} points)`,
  ];
}

function table(rows: readonly string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === 0 || c === r.length - 1 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

export function renderSoakReport(r: SoakReport): string {
  const o = r.options;
  const out: string[] = [];
  out.push(
    `Chorus soak: ${fmt(o.minutes, 1)} min of the steady load — ${int(r.plan.steadySubscribers + r.plan.churnSubscribers)} ` +
      `subscribers on ${r.plan.channels.join(", ")}, ${fmt(r.plan.rate, 0)} msg/s, ${r.plan.size}-char texts, ` +
      `${r.plan.workers} steady worker(s); node ${r.node}, ${r.nproc} CPUs`,
  );
  if (r.plan.churnSubscribers > 0) {
    out.push(
      `churn: every ${fmt(o.churnEverySec, 0)} s, ${int(r.plan.churnSubscribers)} subscribers drop their connection ` +
        `and resume by seq (${fmt(o.churnPctPerMin, 1)} % of subscribers per minute), and a publisher logs in, ` +
        "sends 2 messages over a fresh WebSocket, and logs out",
    );
  } else {
    out.push("churn: off");
  }
  out.push(
    `samples: every ${fmt(o.sampleEverySec, 0)} s, ${int(r.samples.length)} taken` +
      (o.gcEverySec !== null ? `, a forced full GC every ${fmt(o.gcEverySec, 0)} s` : "") +
      `; trends over publishing after a ${mmss(o.warmupSec)} warm-up; heap: ${r.heapMethod}`,
    "",
  );
  out.push(
    ...table([
      ["", "first", "last", "mean", "slope", "std error of the slope"],
      trendRow(
        r.heapMethod.startsWith("heap used right after") ? "heap used (after GC)" : "heap used (window min)",
        r.heap,
      ),
      trendRow("RSS", r.rss),
    ]),
    "",
  );
  const e = r.eventLoop;
  out.push(
    `event-loop delay p99: max ${ms(e.p99MaxMs)}, median ${ms(e.p99MedianMs)} over ${int(e.windows)} windows of ` +
      `${fmt(o.sampleEverySec, 0)} s after the warm-up (max ${ms(e.p99MaxAllMs)} with it); longest delay ${ms(e.maxMs)}` +
      " — prom-client samples every 10 ms, so an idle loop reads ~10 ms",
  );
  if (r.forcedGc) {
    out.push(
      `forced GCs: ${int(r.forcedGc.count)} (${r.forcedGc.method}), mean ${ms(r.forcedGc.meanMs, 0)}, ` +
        `max ${ms(r.forcedGc.maxMs, 0)} — left out of the event-loop figures`,
    );
  }
  const machine = r.machine;
  out.push(
    `machine while publishing: all CPUs ${fmt(machine.cpuMeanPct ?? undefined, 0)} % busy on average; some task waiting ` +
      `for a CPU ${fmt(machine.cpuPressureMeanPct ?? undefined, 0)} % of the time (max ${fmt(machine.cpuPressureMaxPct ?? undefined, 0)} % ` +
      `of a ${fmt(o.sampleEverySec, 0)} s window)`,
  );
  if ((machine.cpuPressureMeanPct ?? 0) > 50) {
    out.push(
      "  → the machine was short of CPU more than half of the time: the server and the load generator were starved " +
        "(by each other or by other work), so latency, event-loop and error figures describe the machine as much as the server",
    );
  }
  const m = r.messages;
  out.push(
    `messages: ${int(m.sent)} sent, ${int(m.acked)} acked, ${int(m.deliveries)} deliveries of ${int(m.expectedDeliveries)} ` +
      `expected; re-auth publisher ${int(m.reauthPublished)}; server accepted ${int(m.serverAccepted ?? undefined)} in all`,
    `latency (steady subscribers): p50 ${ms(r.latency.p50, 2)}, p99 ${ms(r.latency.p99, 2)}, max ${ms(r.latency.max, 1)}` +
      (r.forcedGc ? " (the forced GC pauses included)" : ""),
  );
  if (r.churn) {
    out.push(
      `churn: ${int(r.churn.cycles)} cycles, ${int(r.churn.dropped)} connections dropped and resumed, slowest group back ` +
        `in ${fmt(r.churn.slowestBackSec, 2)} s; seq gaps after resume ${int(r.churn.seqGaps)}`,
    );
  }
  if (r.reauth) {
    out.push(`re-authentications: ${int(r.reauth.cycles)} (log in, publish, log out)`);
  }
  out.push(
    `server log: ${int(r.serverLog.errors)} error line(s), ${int(r.serverLog.warnings)} warning(s)`,
    "",
    `errors: ${int(r.errors.total)}`,
  );
  for (const [kind, n] of Object.entries(r.errors.byKind)) out.push(`  ${kind}: ${int(n)}`);
  if (r.serverLog.lastLines.length > 0) {
    out.push("server warnings and errors (last lines):", ...r.serverLog.lastLines.slice(-8).map((l) => `    ${l}`));
  }
  for (const note of r.notes) out.push(`note: ${note}`);
  out.push("");
  const v = r.verdict;
  const slopes = v.slopesJudged
    ? `heap and RSS slopes judged against < ${SLOPE_LIMIT_PCT_PER_HOUR} %/h`
    : `slopes NOT judged: the limit (< ${SLOPE_LIMIT_PCT_PER_HOUR} %/h) applies to runs of ${JUDGED_FROM_MINUTES} min or more; ` +
      "a run of minutes is too noisy for it";
  out.push(`verdict: ${v.pass ? "PASS" : `FAIL (${v.reasons.join("; ")})`} — ${slopes}; errors always count`);
  return out.join("\n");
}
