/**
 * A real Chorus server for tests: random port, embedded store in a fresh temp dir (or the
 * given one), quiet logs. `restart()` stops and starts it on the same port and data dir, as
 * an operator's restart would.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningServer, startServer } from "../src/app.js";
import { type Config, loadConfig } from "../src/config.js";
import { ONE_ADDRESS_LIMITS_ENV } from "./one-address-limits.js";

export interface TestServer {
  url: string;
  port: number;
  config: Config;
  server: () => RunningServer;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and removes its data dir. */
  dispose(): Promise<void>;
}

export const TEST_ADMIN = { username: "test_admin", password: "test-admin-password" };

export type TestOverrides = Partial<Omit<Config, "analysis" | "limits">> & {
  analysis?: Partial<Config["analysis"]>;
  limits?: Partial<Config["limits"]>;
};

export async function startTestServer(overrides: TestOverrides = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? (await mkdtemp(path.join(tmpdir(), "chorus-test-")));
  const base = loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: process.env["TEST_LOG_LEVEL"] ?? "silent",
    ADMIN_USERNAME: TEST_ADMIN.username,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    // Tests create many identities and connections from one IP.
    ...ONE_ADDRESS_LIMITS_ENV,
    VIEWER_COUNT_INTERVAL_MS: "200",
    SSE_HEARTBEAT_MS: "1000",
    WEB_DIST_DIR: path.join(dataDir, "no-web"),
    // Off unless a test is about it (analysis.test.ts, the web app's): its summary events take
    // seqs between the messages, and most tests count messages' seqs.
    ANALYSIS_ENABLED: "false",
    // A message waits this long at most for its sentiment (1 ms in production): test files run
    // side by side on two cores, and a worker that gets no core in time would leave a message
    // without it. What the budget does is the worker pool's own test.
    SENTIMENT_WAIT_MS: "100",
  });
  let config: Config = {
    ...base,
    ...overrides,
    dataDir,
    limits: { ...base.limits, ...overrides.limits },
    analysis: { ...base.analysis, ...overrides.analysis },
  };
  let running: RunningServer | null = await startServer(config);
  config = { ...config, port: running.port };
  const handle: TestServer = {
    url: running.url,
    port: running.port,
    config,
    server: () => {
      if (!running) throw new Error("server is stopped");
      return running;
    },
    async stop() {
      await running?.close();
      running = null;
    },
    async start() {
      if (running) return;
      running = await startServer(config);
    },
    async restart() {
      await handle.stop();
      await handle.start();
    },
    async dispose() {
      await handle.stop();
      if (!overrides.dataDir && !dataDir.startsWith("memory://")) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
