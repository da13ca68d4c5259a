/**
 * A real Chorus cluster for tests: N node processes (`node --import tsx src/main.ts`) on
 * loopback, sharing one private redis-server (test/redis-server.ts) and one fresh PostgreSQL
 * database (test/contracts/pg.ts). Nodes can be killed (`SIGKILL`, as a crash would) and
 * started again on the same port. `dispose()` kills every child and removes what was created;
 * the children are also killed if the test process exits without calling it.
 *
 * Also: `startFailoverProxy`, a TCP proxy on loopback that forwards each new connection to the
 * first of its backends that accepts it — what a load balancer in front of the cluster does —
 * so that an SDK client given the proxy's URL fails over to a live node when its node dies.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { createConnection, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freshDatabase, postgresAvailable } from "./contracts/pg.js";
import { TEST_ADMIN } from "./harness.js";
import { ONE_ADDRESS_LIMITS_ENV } from "./one-address-limits.js";
import { freePort, redisServerAvailable, startTestRedis, type TestRedis } from "./redis-server.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const MAIN = "packages/server/src/main.ts";

/** Every child ever spawned by this process, so that none outlives it. */
const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** True when both redis-server and PostgreSQL are there; says loudly what is missing otherwise. */
export async function clusterAvailable(): Promise<boolean> {
  const redis = redisServerAvailable();
  const postgres = await postgresAvailable();
  if (!redis || !postgres) {
    console.warn(
      `\n!!! cluster tests SKIPPED: ${[redis ? null : "redis-server", postgres ? null : "PostgreSQL"]
        .filter((x) => x !== null)
        .join(" and ")} not available !!!\n`,
    );
  }
  return redis && postgres;
}

export interface ClusterNode {
  readonly name: string;
  /** NODE_ID of the current (or last) process; `start()` may give it a new one. */
  nodeId: string;
  readonly port: number;
  readonly url: string;
  readonly alive: boolean;
  /** Exit code / signal of the last process once it ended (null while it runs). */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Starts the process (again) on the same port and waits for /readyz 200. */
  start(options?: { nodeId?: string }): Promise<void>;
  /** `kill -9` and wait for the exit. */
  kill(): Promise<void>;
  /** The last lines the process wrote (stdout and stderr), for failure messages. */
  output(): string;
}

export interface Cluster {
  redis: TestRedis;
  databaseUrl: string;
  nodes: ClusterNode[];
  /** Nodes that are running. */
  live(): ClusterNode[];
  dispose(): Promise<void>;
}

export interface ClusterOptions {
  nodes: number;
  /** Redis with AOF (appendfsync always), so that a restart keeps every acknowledged write. */
  appendonly?: boolean;
  /** Extra environment for every node. */
  env?: Record<string, string>;
  /** Use this (empty) database instead of a fresh one on the shared server; it is not dropped. */
  databaseUrl?: string;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const redis = await startTestRedis({ appendonly: options.appendonly ?? false });
  let database: { url: string; drop: () => Promise<void> } | null = null;
  const nodes: NodeProcess[] = [];
  const dispose = async () => {
    await Promise.allSettled(nodes.map((n) => n.kill()));
    await redis.dispose().catch(() => undefined);
    await database?.drop().catch(() => undefined);
  };
  try {
    database =
      options.databaseUrl === undefined
        ? await freshDatabase()
        : { url: options.databaseUrl, drop: async () => undefined };
    const env: Record<string, string> = {
      HOST: "127.0.0.1",
      REDIS_URL: redis.url,
      DATABASE_URL: database.url,
      LOG_LEVEL: "warn",
      ADMIN_USERNAME: TEST_ADMIN.username,
      ADMIN_PASSWORD: TEST_ADMIN.password,
      ...ONE_ADDRESS_LIMITS_ENV,
      VIEWER_COUNT_INTERVAL_MS: "500",
      PERSIST_CLAIM_IDLE_MS: "1000",
      SSE_HEARTBEAT_MS: "1000",
      // Off unless a test is about it: its summary events take seqs between the messages, and
      // these tests count messages' seqs (analysis-cluster.test.ts turns it on).
      ANALYSIS_ENABLED: "false",
      SHUTDOWN_GRACE_MS: "1000",
      WEB_DIST_DIR: path.join(tmpdir(), "chorus-cluster-no-web"),
      ...options.env,
    };
    for (let i = 0; i < options.nodes; i++) {
      const name = String.fromCharCode(65 + i);
      nodes.push(new NodeProcess(name, `node-${name.toLowerCase()}`, await freePort(), env));
    }
    // The first node migrates the fresh database and creates the admin and `main`; the others
    // then start together.
    await nodes[0]?.start();
    await Promise.all(nodes.slice(1).map((n) => n.start()));
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    redis,
    databaseUrl: database.url,
    nodes,
    live: () => nodes.filter((n) => n.alive),
    dispose,
  };
}

class NodeProcess implements ClusterNode {
  readonly url: string;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private child: ChildProcess | null = null;
  private lines: string[] = [];

  constructor(
    readonly name: string,
    public nodeId: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get alive(): boolean {
    return this.child !== null && this.exit === null;
  }

  output(): string {
    return this.lines.slice(-40).join("\n");
  }

  async start(options: { nodeId?: string } = {}): Promise<void> {
    if (this.alive) return;
    if (options.nodeId !== undefined) this.nodeId = options.nodeId;
    this.exit = null;
    const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.env, PORT: String(this.port), NODE_ID: this.nodeId },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    children.add(child);
    const record = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") this.lines.push(line);
      if (this.lines.length > 400) this.lines = this.lines.slice(-200);
    };
    child.stdout?.on("data", record);
    child.stderr?.on("data", record);
    child.once("exit", (code, signal) => {
      children.delete(child);
      if (this.child === child) this.exit = { code, signal };
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.exit !== null) {
        throw new Error(`node ${this.name} exited during start (${JSON.stringify(this.exit)}):\n${this.output()}`);
      }
      try {
        const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`node ${this.name} was not ready within 30 s:\n${this.output()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || this.exit !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
  }
}

// ---- failover proxy ---------------------------------------------------------------------

export interface FailoverProxy {
  url: string;
  port: number;
  /** Connections accepted so far, per backend port (which node each one reached). */
  readonly routed: Map<number, number>;
  close(): Promise<void>;
}

/**
 * A loopback TCP proxy: each accepted connection goes to the first backend (in order) that
 * accepts a TCP connection; when either side closes, so does the other. A backend that died
 * refuses connections, so new connections go to the next one.
 */
export async function startFailoverProxy(backendPorts: readonly number[]): Promise<FailoverProxy> {
  const sockets = new Set<Socket>();
  const routed = new Map<number, number>();
  const server = createServer((client) => {
    client.pause();
    sockets.add(client);
    client.on("error", () => undefined);
    client.on("close", () => sockets.delete(client));
    const attempt = (index: number): void => {
      const port = backendPorts[index];
      if (port === undefined || client.destroyed) {
        client.destroy();
        return;
      }
      const upstream = createConnection({ host: "127.0.0.1", port });
      let connected = false;
      upstream.once("connect", () => {
        connected = true;
        sockets.add(upstream);
        routed.set(port, (routed.get(port) ?? 0) + 1);
        upstream.on("close", () => {
          sockets.delete(upstream);
          client.destroy();
        });
        client.on("close", () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
      });
      upstream.on("error", () => {
        if (!connected) attempt(index + 1);
        else client.destroy();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    routed,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A gauge's value on one node, read from its /metrics (0 when absent). */
export async function gaugeOf(node: ClusterNode, name: string): Promise<number> {
  const res = await fetch(`${node.url}/metrics`);
  const match = new RegExp(`^${name} (\\d+)`, "m").exec(await res.text());
  return Number(match?.[1] ?? 0);
}

/** Polls `probe` (a failing probe counts as not yet) until it answers, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
