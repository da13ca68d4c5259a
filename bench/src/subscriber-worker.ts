/**
 * A subscriber worker: a separate process (forked by fanout.ts) that holds a slice of the
 * subscribers, so that receiving and parsing 100k+ frames/s does not share an event loop
 * with the publisher or with the other slices. It records one latency per first delivery
 * (receive time minus the send time embedded in the text) into a histogram and keeps one
 * `SubscriberTracker` per connection for loss, duplicate and seq checks; the parent merges
 * what every worker reports. See ipc.ts for the conversation.
 */
import { isParentMessage, type ParentMessage, type WorkerMessage } from "./ipc.js";
import { parseText } from "./payload.js";
import { LatencyHistogram } from "./stats.js";
import { connectSubscriber } from "./targets/index.js";
import type { Subscriber } from "./targets/types.js";
import { addCounts, emptyCounts, SubscriberTracker } from "./tracker.js";

const RAMP_TICK_MS = 20;
const PROGRESS_EVERY_MS = 1_000;

const subscribers: Subscriber[] = [];
const trackers: SubscriberTracker[] = [];
const histogram = new LatencyHistogram();
const problems = new Map<string, number>();
const failures = new Map<string, number>();
let firstReceiveMs = 0;
let lastReceiveMs = 0;
let strays = 0;
let cpuAtMeasure: NodeJS.CpuUsage | undefined;
let started = false;

function post(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function connectOne(start: Extract<ParentMessage, { type: "start" }>): Promise<boolean> {
  const tracker = new SubscriberTracker(start.expectedMessages);
  return connectSubscriber(
    start.spec,
    {
      subscribed: (seq) => tracker.subscribed(seq),
      logged: (seq) => tracker.logged(seq),
      message: (text, receivedAtMs) => {
        const parsed = parseText(text);
        if (parsed === undefined) {
          strays++;
          return;
        }
        if (firstReceiveMs === 0) firstReceiveMs = receivedAtMs;
        lastReceiveMs = receivedAtMs;
        if (tracker.message(parsed.n)) histogram.record(receivedAtMs - parsed.sentAtMs);
      },
      problem: (kind) => count(problems, kind),
    },
    start.connectTimeoutMs,
  ).then(
    (subscriber) => {
      subscribers.push(subscriber);
      trackers.push(tracker);
      return true;
    },
    (err: unknown) => {
      // Keep the reason coarse so that 1,000 timeouts group into one line.
      const reason = (err instanceof Error ? err.message : String(err)).replace(/\d+/g, "N").slice(0, 120);
      count(failures, reason);
      return false;
    },
  );
}

async function rampUp(start: Extract<ParentMessage, { type: "start" }>): Promise<void> {
  const begin = performance.now();
  const pending: Promise<boolean>[] = [];
  let subscribed = 0;
  let failed = 0;
  const progress = setInterval(() => {
    post({ type: "progress", attempted: pending.length, subscribed, failed });
  }, PROGRESS_EVERY_MS);
  while (pending.length < start.count) {
    const due = Math.min(start.count, Math.floor(((performance.now() - begin) / 1000) * start.connectsPerSec) + 1);
    while (pending.length < due) {
      pending.push(
        connectOne(start).then((ok) => {
          if (ok) subscribed++;
          else failed++;
          return ok;
        }),
      );
    }
    await new Promise((r) => setTimeout(r, RAMP_TICK_MS));
  }
  await Promise.all(pending);
  clearInterval(progress);
  post({ type: "ready", subscribed, failed, failures: Object.fromEntries(failures) });
}

function collect(message: Extract<ParentMessage, { type: "collect" }>): void {
  const counts = emptyCounts();
  const finalSeq = message.finalSeq ?? undefined;
  for (const tracker of trackers) addCounts(counts, tracker.counts(message.acknowledged, finalSeq));
  const cpu = process.cpuUsage(cpuAtMeasure);
  post({
    type: "result",
    counts,
    histogram: histogram.toJSON(),
    firstReceiveMs,
    lastReceiveMs,
    problems: Object.fromEntries(problems),
    strays,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  });
}

function stop(): void {
  for (const subscriber of subscribers) subscriber.close();
  // Give the close frames a moment to leave, then go; the parent kills us if we linger.
  setTimeout(() => process.exit(0), 300).unref();
}

process.on("message", (raw: unknown) => {
  if (!isParentMessage(raw)) return;
  switch (raw.type) {
    case "start":
      if (started) return;
      started = true;
      rampUp(raw).catch((err: unknown) => post({ type: "fatal", message: String(err) }));
      break;
    case "measure":
      // Publishing starts now: CPU is accounted from here to `collect`.
      cpuAtMeasure = process.cpuUsage();
      break;
    case "collect":
      collect(raw);
      break;
    case "stop":
      stop();
      break;
  }
});

// Never outlive the orchestrator.
process.on("disconnect", () => process.exit(0));
