/**
 * Target: the Chorus server in embedded mode (no REDIS_URL / DATABASE_URL), started exactly
 * as an operator would (`node --import tsx packages/server/src/main.ts`) in a fresh data
 * directory with a bootstrap admin (exempt from chat rate limits), and spoken to over the
 * public API only (docs/api.md): the load generator gets the admin's token and every node's HTTP
 * base, and does the rest (subscribe over WebSocket or SSE, publish over WebSocket or REST).
 */
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResumableSubscriber } from "../clients/chorus-subscriber.js";
import { BENCH_BOT } from "../loadgen/account.js";
import { connectWsPublisher } from "../loadgen/publishers.js";
import {
  captureOutput,
  freePort,
  LOOPBACK,
  onExit,
  ROOT,
  spawnTracked,
  stopChild,
  waitForHttpOk,
} from "../processes.js";
import {
  type ClientSpec,
  ONE_ADDRESS_LOAD_ENV,
  type Publisher,
  type RunningTarget,
  type StartOptions,
  type Subscriber,
  type SubscriberEvents,
  type TargetDefinition,
} from "./types.js";

type ChorusSpec = Extract<ClientSpec, { kind: "chorus" }>;

const CHANNEL = "main";
export const ADMIN_USERNAME = "bench_admin";
/** Spreads a worker's subscribers over the nodes of a cluster target, round robin. */
let nextNode = 0;
const SERVER_ENTRY = "packages/server/src/main.ts";
/** PGlite initialises a database on first start; give it time. */
const READY_TIMEOUT_MS = 90_000;

export const chorusTarget: TargetDefinition = {
  name: "chorus",
  label: "Chorus (embedded)",
  async start(signal: AbortSignal, options: StartOptions = {}): Promise<RunningTarget> {
    if (!existsSync(join(ROOT, SERVER_ENTRY))) throw new Error(`${SERVER_ENTRY} does not exist yet`);
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), "chorus-bench-"));
    // If the benchmark dies before `stop`, the data directory still goes.
    const forgetDataDir = onExit(() => rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 }));
    const password = randomBytes(18).toString("base64url");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: LOOPBACK,
      DATA_DIR: dataDir,
      ADMIN_USERNAME,
      ADMIN_PASSWORD: password,
      LOG_LEVEL: "warn",
      // The moderated bench publishes as this user: exempt from the rate limit, filtered.
      BOT_USERS: BENCH_BOT,
      ...ONE_ADDRESS_LOAD_ENV,
      ...options.env,
    };
    // Embedded mode only: never let the caller's environment point the server elsewhere.
    delete env["REDIS_URL"];
    delete env["DATABASE_URL"];
    // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" profiles the server under load.
    const nodeArgs = (process.env["BENCH_SERVER_NODE_ARGS"] ?? "").split(" ").filter((a) => a !== "");
    const child = spawnTracked(process.execPath, [...nodeArgs, "--import", "tsx", SERVER_ENTRY], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const logTail = captureOutput(child);
    const stop = async () => {
      await stopChild(child);
      await rm(dataDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
      forgetDataDir();
    };
    const base = `http://${LOOPBACK}:${port}`;
    try {
      await waitForHttpOk(`${base}/readyz`, READY_TIMEOUT_MS, child, signal);
      const token = await login(base, password, signal);
      return {
        name: "chorus",
        pid: child.pid ?? -1,
        client: { kind: "chorus", url: `ws://${LOOPBACK}:${port}/api/ws`, channel: CHANNEL },
        httpUrls: [base],
        token,
        connectPublisher: () => connectPublisher(`ws://${LOOPBACK}:${port}/api/ws`, token),
        logTail,
        stop,
      };
    } catch (err) {
      const tail = logTail().slice(-15).join("\n  ");
      await stop();
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}${tail ? `\n  server output:\n  ${tail}` : ""}`,
      );
    }
  },
};

export async function login(base: string, password: string, signal: AbortSignal): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: ADMIN_USERNAME, password }),
    signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
  });
  const body: unknown = await res.json().catch(() => undefined);
  const token = typeof body === "object" && body !== null ? (body as Record<string, unknown>)["token"] : undefined;
  if (res.status !== 200 || typeof token !== "string") {
    throw new Error(`POST /api/auth/login answered ${res.status} ${JSON.stringify(body)?.slice(0, 300)}`);
  }
  return token;
}

/** A publisher on the target's default channel (see loadgen/publishers.ts for any channel). */
export async function connectPublisher(url: string, token: string, channel = CHANNEL): Promise<Publisher> {
  const publisher = await connectWsPublisher(url, token);
  return { send: (text, nonce, done) => publisher.send(channel, text, nonce, done), close: () => publisher.close() };
}

/** Connects one anonymous WebSocket subscriber (it resumes by seq if it loses the connection). */
export async function connectChorusSubscriber(
  spec: ChorusSpec,
  events: SubscriberEvents,
  timeoutMs: number,
): Promise<Subscriber> {
  const wsUrl = spec.urls?.[nextNode++ % spec.urls.length] ?? spec.url;
  const subscriber = new ResumableSubscriber(
    {
      wsUrl,
      httpUrl: new URL(wsUrl).origin.replace(/^ws/, "http"),
      channel: spec.channel,
      transport: "ws",
      connectTimeoutMs: timeoutMs,
      backoff: { baseMs: 100, capMs: 5_000 },
    },
    {
      subscribed: (seq) => events.subscribed(seq),
      logged: (seq) => events.logged(seq),
      message: (text, at) => events.message(text, at),
      frame: () => undefined,
      problem: (kind) => events.problem(kind),
    },
  );
  await subscriber.start();
  return { close: () => subscriber.close() };
}
