/**
 * Target: Chorus distributed — 3 nodes on this machine (`node --import tsx
 * packages/server/src/main.ts` with REDIS_URL + DATABASE_URL, as an operator runs them), a
 * private redis-server with AOF on a free port, and a fresh PostgreSQL database on the server
 * at BENCH_DATABASE_URL (default: the local trust-auth `test` database's server). Subscribers
 * are spread round robin over the nodes; the publisher sends through node 0, so every message
 * crosses Redis (XADD on node 0, XREAD on each node) before it reaches anyone.
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { BENCH_BOT } from "../loadgen/account.js";
import {
  captureOutput,
  freePort,
  LOOPBACK,
  onExit,
  ROOT,
  sleep,
  spawnTracked,
  stopChild,
  waitForHttpOk,
} from "../processes.js";
import { ADMIN_USERNAME, connectPublisher, login } from "./chorus.js";
import { ONE_ADDRESS_LOAD_ENV, type RunningTarget, type StartOptions, type TargetDefinition } from "./types.js";

const NODES = 3;
const SERVER_ENTRY = "packages/server/src/main.ts";
const ADMIN_URL = process.env["BENCH_DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

export const chorusClusterTarget: TargetDefinition = {
  name: "chorus-cluster",
  label: `Chorus cluster (${NODES} nodes + Redis)`,
  async start(signal: AbortSignal, options: StartOptions = {}): Promise<RunningTarget> {
    const cleanups: Array<() => Promise<void>> = [];
    const stop = async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      cleanups.length = 0;
    };
    const forget = onExit(() => void stop());
    try {
      const redisUrl = await startRedis(cleanups);
      const databaseUrl = await createDatabase(cleanups);
      const password = randomBytes(18).toString("base64url");
      const ports: number[] = [];
      const children: ChildProcess[] = [];
      const tails: Array<() => string[]> = [];
      for (let i = 0; i < NODES; i++) {
        const port = await freePort();
        const child = spawnTracked(process.execPath, ["--import", "tsx", SERVER_ENTRY], {
          cwd: ROOT,
          env: {
            ...process.env,
            PORT: String(port),
            HOST: LOOPBACK,
            REDIS_URL: redisUrl,
            DATABASE_URL: databaseUrl,
            NODE_ID: `bench-node-${i}`,
            ADMIN_USERNAME,
            ADMIN_PASSWORD: password,
            LOG_LEVEL: "warn",
            BOT_USERS: BENCH_BOT,
            ...ONE_ADDRESS_LOAD_ENV,
            ...options.env,
          },
          stdio: ["ignore", "pipe", "pipe"],
        });
        cleanups.push(() => stopChild(child));
        ports.push(port);
        children.push(child);
        tails.push(captureOutput(child));
        // The first node runs the migrations; the others start once it is ready.
        if (i === 0) await waitForHttpOk(`http://${LOOPBACK}:${port}/readyz`, 90_000, child, signal);
      }
      for (const [i, port] of ports.entries()) {
        await waitForHttpOk(`http://${LOOPBACK}:${port}/readyz`, 90_000, children[i] as ChildProcess, signal);
      }
      const base = `http://${LOOPBACK}:${ports[0]}`;
      const token = await login(base, password, signal);
      const urls = ports.map((p) => `ws://${LOOPBACK}:${p}/api/ws`);
      return {
        name: "chorus-cluster",
        pid: children[0]?.pid ?? -1,
        pids: children.map((c) => c.pid ?? -1),
        client: { kind: "chorus", url: urls[0] as string, urls, channel: "main" },
        httpUrls: ports.map((p) => `http://${LOOPBACK}:${p}`),
        token,
        connectPublisher: () => connectPublisher(urls[0] as string, token),
        logTail: () => tails.flatMap((tail, i) => tail().map((line) => `[node ${i}] ${line}`)),
        stop: async () => {
          await stop();
          forget();
        },
      };
    } catch (err) {
      await stop();
      forget();
      throw err;
    }
  },
};

async function startRedis(cleanups: Array<() => Promise<void>>): Promise<string> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "chorus-bench-redis-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const child = spawnTracked(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      LOOPBACK,
      "--save",
      "",
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
      "--dir",
      dir,
    ],
    { stdio: "ignore" },
  );
  cleanups.push(() => stopChild(child));
  for (let i = 0; i < 200; i++) {
    try {
      if (execFileSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).trim() === "PONG") {
        return `redis://${LOOPBACK}:${port}`;
      }
    } catch {
      // not up yet
    }
    await sleep(50);
  }
  throw new Error("redis-server did not start (is it installed?)");
}

async function createDatabase(cleanups: Array<() => Promise<void>>): Promise<string> {
  const name = `chorus_bench_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  });
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
