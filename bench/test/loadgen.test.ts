import { describe, expect, it } from "vitest";
import { metricSum, parsePrometheusText } from "../src/loadgen/metrics.js";
import { LOADGEN_USAGE, parseLoadgenOptions, parseUrls, UsageError } from "../src/loadgen/options.js";
import {
  channelNames,
  channelOf,
  isSlow,
  nodeOf,
  reconnectDelay,
  route,
  split,
  subscribersPerChannel,
  transportOf,
} from "../src/loadgen/plan.js";
import { MAX_RATES, SCENARIO_NAMES, scenario, sustained } from "../src/scenarios.js";

describe("option parsing", () => {
  it("has defaults for everything", () => {
    const o = parseLoadgenOptions([], {});
    expect(o).toMatchObject({
      urls: ["http://localhost:3000"],
      subscribers: 1000,
      channels: 1,
      channelPrefix: "load",
      transport: "ws",
      publishers: 1,
      rate: 100,
      durationSec: 10,
      publishVia: "ws",
      slowFraction: 0,
      stormAtSec: undefined,
      idle: false,
      backoff: { baseMs: 100, capMs: 5000 },
    });
  });

  it("reads flags, short flags and LOADGEN_* variables (flags win)", () => {
    const o = parseLoadgenOptions(
      ["-n", "20", "--channels", "2", "--transport", "mixed", "--publish-via", "rest", "--storm-at", "3", "-r", "50"],
      { LOADGEN_RATE: "7", LOADGEN_PUBLISHERS: "4", CHORUS_TOKEN: "t0k" },
    );
    expect(o).toMatchObject({
      subscribers: 20,
      channels: 2,
      transport: "mixed",
      publishVia: "rest",
      stormAtSec: 3,
      rate: 50,
      publishers: 4,
      token: "t0k",
    });
  });

  it("splits and normalises several node URLs", () => {
    expect(parseUrls("http://a:3000/, http://b:3000")).toEqual(["http://a:3000", "http://b:3000"]);
    expect(() => parseUrls("ws://a:3000")).toThrow(UsageError);
    expect(() => parseUrls(" , ")).toThrow(UsageError);
  });

  it("rejects nonsense with a usage error", () => {
    expect(() => parseLoadgenOptions(["--transport", "carrier-pigeon"], {})).toThrow(UsageError);
    expect(() => parseLoadgenOptions(["--slow-fraction", "1.5"], {})).toThrow(UsageError);
    expect(() => parseLoadgenOptions(["-n", "2.5"], {})).toThrow(UsageError);
    expect(() => parseLoadgenOptions(["--storm-at", "12", "-d", "10"], {})).toThrow(/before the end/);
    expect(() => parseLoadgenOptions(["--channel-prefix", "Bad-Name!"], {})).toThrow(UsageError);
    expect(() => parseLoadgenOptions(["--bogus"], {})).toThrow(UsageError);
  });

  it("returns undefined for --help, and the usage lists every flag", () => {
    expect(parseLoadgenOptions(["-h"], {})).toBeUndefined();
    for (const flag of [
      "--transport",
      "--publish-via",
      "--slow-fraction",
      "--storm-at",
      "--idle",
      "--channel-prefix",
    ]) {
      expect(LOADGEN_USAGE).toContain(flag);
    }
  });
});

describe("Prometheus text parsing", () => {
  const text = [
    "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.",
    "# TYPE process_cpu_seconds_total counter",
    "process_cpu_seconds_total 6.780942",
    "process_resident_memory_bytes 942133248",
    'chorus_connections{transport="ws"} 12',
    'chorus_connections{transport="sse",note="a \\"quoted\\", {braced} value"} 3',
    "weird_metric_without_value",
    "nodejs_heap_size_total_bytes 1.5e7 1700000000000",
    'http_request_duration_seconds_bucket{le="+Inf"} 4',
    "",
  ].join("\n");

  it("reads names, labels (with escapes) and values, skipping comments and junk", () => {
    const samples = parsePrometheusText(text);
    expect(metricSum(samples, "process_cpu_seconds_total")).toBeCloseTo(6.780942);
    expect(metricSum(samples, "process_resident_memory_bytes")).toBe(942133248);
    expect(metricSum(samples, "nodejs_heap_size_total_bytes")).toBe(1.5e7);
    expect(metricSum(samples, "chorus_connections")).toBe(15);
    const sse = samples.find((s) => s.labels["transport"] === "sse");
    expect(sse?.labels["note"]).toBe('a "quoted", {braced} value');
    expect(samples.find((s) => s.name === "http_request_duration_seconds_bucket")?.labels["le"]).toBe("+Inf");
    expect(metricSum(samples, "weird_metric_without_value")).toBeUndefined();
  });
});

describe("spreading subscribers, messages and publishers", () => {
  it("names channels and refuses invalid names", () => {
    expect(channelNames("load", 3)).toEqual(["load_0", "load_1", "load_2"]);
    expect(channelNames("x", 1)).toEqual(["x_0"]);
    // docs/api.md: names are 3–25 chars of [a-z0-9_]; the longest name of the run decides.
    expect(() => channelNames("a_much_longer_prefix_x", 1000)).toThrow(/must match/);
    expect(() => channelNames("Bad-Name", 1)).toThrow(/must match/);
  });

  it("spreads subscribers evenly over channels", () => {
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 100; i++) counts[channelOf(i, 7)]! += 1;
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(counts).toEqual(subscribersPerChannel(100, 7));
    expect(split(10, 3)).toEqual([4, 3, 3]);
  });

  it("alternates transports for mixed, and nodes round robin", () => {
    expect([0, 1, 2, 3].map((i) => transportOf(i, "mixed"))).toEqual(["ws", "sse", "ws", "sse"]);
    expect(transportOf(3, "sse")).toBe("sse");
    expect([0, 1, 2, 3].map((i) => nodeOf(i, 3))).toEqual([0, 1, 2, 0]);
  });

  it("picks exactly the requested fraction of slow readers, spread out", () => {
    const slow = Array.from({ length: 1000 }, (_, i) => i).filter((i) => isSlow(i, 0.1));
    expect(slow).toHaveLength(100);
    expect(slow[0]).toBe(9);
    expect(slow.slice(0, 3)).toEqual([9, 19, 29]);
    expect(isSlow(5, 0)).toBe(false);
    expect(isSlow(5, 1)).toBe(true);
  });

  it("gives each channel one publisher when there are enough channels", () => {
    const owners = new Map<number, Set<number>>();
    for (let i = 0; i < 1000; i++) {
      const { channel, publisher } = route(i, 10, 3);
      expect(channel).toBe(i % 10);
      owners.set(channel, (owners.get(channel) ?? new Set()).add(publisher));
    }
    for (const set of owners.values()) expect(set.size).toBe(1);
    // Fewer channels than publishers: publishers take turns, all are used.
    const used = new Set(Array.from({ length: 12 }, (_, i) => route(i, 1, 4).publisher));
    expect(used.size).toBe(4);
  });
});

describe("reconnect backoff (full jitter)", () => {
  const plan = { baseMs: 100, capMs: 5000 };
  it("draws from [0, min(cap, base·2^n))", () => {
    expect(reconnectDelay(0, plan, () => 0)).toBe(0);
    expect(reconnectDelay(0, plan, () => 0.999999)).toBe(99);
    expect(reconnectDelay(3, plan, () => 0.5)).toBe(400);
    expect(reconnectDelay(10, plan, () => 0.5)).toBe(2500);
    expect(reconnectDelay(60, plan, () => 0.999999)).toBeLessThan(5000);
  });
  it("spreads a crowd", () => {
    const delays = Array.from({ length: 500 }, () => reconnectDelay(2, plan));
    expect(Math.min(...delays)).toBeLessThan(50);
    expect(Math.max(...delays)).toBeGreaterThan(350);
    expect(Math.max(...delays)).toBeLessThan(400);
  });
});

describe("scenarios", () => {
  it("define runs for every name, with overrides applied", () => {
    for (const name of SCENARIO_NAMES) expect(scenario(name, 2, {}).runs.length).toBeGreaterThan(0);
    const steady = scenario("steady", 2, { subscribers: 200, rate: 50, durationSec: 3 });
    expect(steady.runs[0]?.options).toMatchObject({ subscribers: 200, rate: 50, durationSec: 3, channels: 1 });
    expect(scenario("channels", 2, {}).runs[0]?.options).toMatchObject({ subscribers: 10_000, channels: 500 });
    expect(scenario("idle", 2, {}).runs[0]?.options).toMatchObject({ subscribers: 20_000, idle: true });
    expect(scenario("storm", 2, {}).runs[0]?.options.stormAtSec).toBe(3);
    const slow = scenario("slow", 2, {});
    expect(slow.runs.map((r) => r.options.slowFraction)).toEqual([0, 0.1]);
    // A stepped scenario ignores --rate (it is the thing being stepped).
    const max = scenario("max", 2, { rate: 5 });
    expect(max.runs.map((r) => r.options.rate)).toEqual(MAX_RATES);
    expect(max.sustained).toBe(sustained);
  });
});
