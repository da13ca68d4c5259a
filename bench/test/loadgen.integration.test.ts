/**
 * End to end: a real embedded Chorus server (fresh data directory, bootstrap admin, started
 * as the benchmark starts it) and the `chorus-loadgen` bin as an operator runs it, with a
 * small mixed WebSocket + SSE load over two channels. Checks the figures that must be exact.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../src/processes.js";
import { chorusTarget } from "../src/targets/chorus.js";
import type { RunningTarget } from "../src/targets/types.js";

let server: RunningTarget;
const abort = new AbortController();

beforeAll(async () => {
  server = await chorusTarget.start(abort.signal);
}, 90_000);

afterAll(async () => {
  abort.abort();
  await server?.stop();
});

function loadgen(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, "bench/bin/chorus-loadgen.mjs"), ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("chorus-loadgen against a real server", () => {
  it("delivers every message to every subscriber over ws + sse, and reads the server's /metrics", async () => {
    const base = server.httpUrls?.[0] as string;
    const run = await loadgen(
      [
        "--url",
        base,
        "-n",
        "20",
        "--transport",
        "mixed",
        "--channels",
        "2",
        "--channel-prefix",
        "itest",
        "--publishers",
        "2",
        "-r",
        "50",
        "-d",
        "2",
        "-w",
        "2",
        "--drain",
        "1",
      ],
      { CHORUS_TOKEN: server.token },
    );
    const lines = run.stdout.trim().split("\n");
    const last = lines[lines.length - 1] ?? "";
    const json = JSON.parse(last) as {
      result: {
        ok: boolean;
        subscribers: { subscribed: number };
        deliveries: number;
        expectedDeliveries: number;
        counts: { lost: number; duplicates: number; seqGaps: number; late: number };
        publish: { sent: number; acked: number };
        server: { source: string; rssBytes: number };
      };
    };
    const r = json.result;
    expect(run.code, run.stderr).toBe(0);
    expect(r.ok).toBe(true);
    expect(r.subscribers.subscribed).toBe(20);
    expect(r.publish.sent).toBe(100);
    expect(r.publish.acked).toBe(100);
    // 100 messages over 2 channels, 10 subscribers each: 50 × 10 × 2.
    expect(r.expectedDeliveries).toBe(1000);
    expect(r.deliveries).toBe(1000);
    expect(r.counts).toMatchObject({ lost: 0, duplicates: 0, seqGaps: 0, late: 0 });
    expect(r.server.source).toBe("metrics");
    expect(r.server.rssBytes).toBeGreaterThan(0);
    // Progress went to stderr, never into the JSON line.
    expect(run.stderr).toMatch(/connected \d+\/20/);
  }, 60_000);
});
