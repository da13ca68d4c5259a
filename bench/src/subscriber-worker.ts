/**
 * A subscriber worker: a separate process (forked by pool.ts) that holds a slice of the
 * subscribers, so that receiving and parsing 100k+ frames/s does not share an event loop
 * with the publishers or with the other slices, and so that each slice has its own file
 * descriptor limit. It records one latency per first delivery (receive time minus the send
 * time embedded in the text) into a histogram — slow readers into their own, so they do not
 * drown the figure that matters — and keeps one `SubscriberTracker` per connection for loss,
 * duplicate and seq checks; the parent merges what every worker reports. See ipc.ts.
 */
import { ResumableSubscriber } from "./clients/chorus-subscriber.js";
import { type GroupResult, isParentMessage, type ParentMessage, type WorkerMessage, type WorkerPlan } from "./ipc.js";
import { channelOf, isSlow, nodeOf, transportOf } from "./loadgen/plan.js";
import { parseText } from "./payload.js";
import { LatencyHistogram } from "./stats.js";
import { connectSubscriber } from "./targets/index.js";
import type { ClientSpec, SubscriberEvents } from "./targets/types.js";
import { addCounts, emptyCounts, SubscriberTracker } from "./tracker.js";

const RAMP_TICK_MS = 20;
const PROGRESS_EVERY_MS = 1_000;
const STORM_CHECK_MS = 50;

interface Member {
  channel: string;
  slow: boolean;
  tracker: SubscriberTracker;
  /** Resumable Chorus-protocol subscriber; undefined for other protocols (no resume). */
  resumable?: ResumableSubscriber;
  close(): void;
}

const members: Member[] = [];
const fastHistogram = new LatencyHistogram();
const slowHistogram = new LatencyHistogram();
const problems = new Map<string, number>();
const failures = new Map<string, number>();
let firstReceiveMs = 0;
let lastReceiveMs = 0;
let strays = 0;
let deliveries = 0;
let frames = 0;
let bytes = 0;
let notRecovered = 0;
let cpuAtMeasure: NodeJS.CpuUsage | undefined;
let started = false;
let attempted = 0;
let subscribedOnce = 0;
let failed = 0;

function post(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Node `n`'s HTTP base from its WebSocket URL (`ws://h:p/api/ws` → `http://h:p`). */
function httpBase(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === "wss:" ? "https:" : "http:";
  return url.origin;
}

function onMessage(tracker: SubscriberTracker, slow: boolean, text: string, receivedAtMs: number): void {
  const parsed = parseText(text);
  if (parsed === undefined) {
    strays++;
    return;
  }
  if (firstReceiveMs === 0) firstReceiveMs = receivedAtMs;
  lastReceiveMs = receivedAtMs;
  if (tracker.message(parsed.n)) {
    deliveries++;
    (slow ? slowHistogram : fastHistogram).record(receivedAtMs - parsed.sentAtMs);
  }
}

async function connectOne(plan: WorkerPlan, index: number): Promise<boolean> {
  const channel = plan.channels[channelOf(index, plan.channels.length)] as string;
  const slow = isSlow(index, plan.slowFraction);
  const tracker = new SubscriberTracker(0);
  try {
    if (plan.spec.kind === "chorus") {
      const urls = plan.spec.urls && plan.spec.urls.length > 0 ? plan.spec.urls : [plan.spec.url];
      const wsUrl = urls[nodeOf(index, urls.length)] as string;
      const subscriber = new ResumableSubscriber(
        {
          wsUrl,
          httpUrl: httpBase(wsUrl),
          channel,
          transport: transportOf(index, plan.transport),
          connectTimeoutMs: plan.connectTimeoutMs,
          backoff: plan.backoff,
          ...(slow ? { slow: plan.slow } : {}),
        },
        {
          subscribed: (seq, recovered, resumed) => {
            tracker.subscribed(seq);
            if (resumed && !recovered) notRecovered++;
          },
          logged: (seq) => tracker.logged(seq),
          message: (text, at) => onMessage(tracker, slow, text, at),
          frame: (n) => {
            frames++;
            bytes += n;
          },
          problem: (kind) => count(problems, kind),
        },
      );
      await subscriber.start();
      members.push({ channel, slow, tracker, resumable: subscriber, close: () => subscriber.close() });
    } else {
      // Peers with their own protocol (socket.io): no resume, so no slow readers or storms.
      const spec: ClientSpec = { ...plan.spec, room: channel };
      const events: SubscriberEvents = {
        subscribed: (seq) => tracker.subscribed(seq),
        logged: (seq) => tracker.logged(seq),
        message: (text, at) => {
          frames++;
          bytes += Buffer.byteLength(text);
          onMessage(tracker, slow, text, at);
        },
        problem: (kind) => count(problems, kind),
      };
      const subscriber = await connectSubscriber(spec, events, plan.connectTimeoutMs);
      members.push({ channel, slow, tracker, close: () => subscriber.close() });
    }
    return true;
  } catch (err) {
    // Keep the reason coarse so that 1,000 timeouts group into one line.
    const reason = (err instanceof Error ? err.message : String(err)).replace(/\d+/g, "N").slice(0, 120);
    count(failures, reason);
    return false;
  }
}

function progress(): WorkerMessage {
  let connected = 0;
  let reconnects = 0;
  let seqGaps = 0;
  for (const m of members) {
    if (m.resumable === undefined || m.resumable.subscribed) connected++;
    reconnects += m.resumable?.reconnects ?? 0;
    seqGaps += m.tracker.gapsSoFar;
  }
  return {
    type: "progress",
    attempted,
    subscribed: subscribedOnce,
    failed,
    connected,
    deliveries,
    frames,
    bytes,
    reconnects,
    seqGaps,
    histogram: fastHistogram.toJSON(),
  };
}

async function rampUp(plan: WorkerPlan): Promise<void> {
  const begin = performance.now();
  const rampStartMs = performance.timeOrigin + begin;
  const pending: Promise<boolean>[] = [];
  while (pending.length < plan.count) {
    const due = Math.min(plan.count, Math.floor(((performance.now() - begin) / 1000) * plan.connectsPerSec) + 1);
    while (pending.length < due) {
      attempted++;
      pending.push(
        connectOne(plan, plan.firstIndex + pending.length).then((ok) => {
          if (ok) subscribedOnce++;
          else failed++;
          return ok;
        }),
      );
    }
    await new Promise((r) => setTimeout(r, RAMP_TICK_MS));
  }
  await Promise.all(pending);
  post({
    type: "ready",
    subscribed: subscribedOnce,
    failed,
    failures: Object.fromEntries(failures),
    rampStartMs,
    rampEndMs: performance.timeOrigin + performance.now(),
  });
}

/** Drops every connection at once and reports when all are back and have caught up. */
function storm(catchUpTo: Record<string, number>): void {
  for (const m of members) m.resumable?.drop();
  let backAtMs = 0;
  const timer = setInterval(() => {
    const resumable = members.filter((m) => m.resumable !== undefined);
    if (!resumable.every((m) => m.resumable?.subscribed)) return;
    const now = performance.timeOrigin + performance.now();
    if (backAtMs === 0) backAtMs = now;
    const caughtUp = resumable.every((m) => (m.resumable?.lastSeq ?? 0) >= (catchUpTo[m.channel] ?? 0));
    if (!caughtUp) return;
    clearInterval(timer);
    post({ type: "storm_done", backAtMs, caughtUpAtMs: now });
  }, STORM_CHECK_MS);
}

function group(
  slow: boolean,
  histogram: LatencyHistogram,
  message: Extract<ParentMessage, { type: "collect" }>,
): GroupResult {
  const counts = emptyCounts();
  let subscribers = 0;
  let reconnects = 0;
  for (const m of members) {
    if (m.slow !== slow) continue;
    subscribers++;
    reconnects += m.resumable?.reconnects ?? 0;
    const finalSeq = message.finalSeq[m.channel] ?? undefined;
    addCounts(counts, m.tracker.counts(message.acknowledged[m.channel] ?? [], finalSeq));
  }
  return { subscribers, counts, histogram: histogram.toJSON(), reconnects };
}

function collect(message: Extract<ParentMessage, { type: "collect" }>): void {
  const cpu = process.cpuUsage(cpuAtMeasure);
  post({
    type: "result",
    fast: group(false, fastHistogram, message),
    slow: group(true, slowHistogram, message),
    firstReceiveMs,
    lastReceiveMs,
    frames,
    bytes,
    notRecovered,
    problems: Object.fromEntries(problems),
    strays,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  });
}

function stop(): void {
  for (const m of members) m.close();
  // Give the close frames a moment to leave, then go; the parent kills us if we linger.
  setTimeout(() => process.exit(0), 300).unref();
}

process.on("message", (raw: unknown) => {
  if (!isParentMessage(raw)) return;
  switch (raw.type) {
    case "start":
      if (started) return;
      started = true;
      setInterval(() => post(progress()), PROGRESS_EVERY_MS).unref();
      rampUp(raw.plan).catch((err: unknown) => post({ type: "fatal", message: String(err) }));
      break;
    case "measure":
      // Publishing starts now: CPU is accounted from here to `collect`.
      cpuAtMeasure = process.cpuUsage();
      break;
    case "storm":
      storm(raw.catchUpTo);
      break;
    case "collect":
      collect(raw);
      break;
    case "stop":
      stop();
      break;
  }
});

// Never outlive the parent.
process.on("disconnect", () => process.exit(0));
