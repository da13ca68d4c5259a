import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

describe("configuration", () => {
  it("has a documented default for every tunable the adapters use", () => {
    const config = loadConfig({});
    expect(config.dedupWindowSec).toBe(600);
    expect(config.commitMaxBatch).toBe(5_000);
    expect(config.healthTimeoutMs).toBe(2_000);
    expect(config.redis).toMatchObject({
      persistBatch: 1_000,
      persistMaxAttempts: 5,
      commandTimeoutMs: 5_000,
      readBlockMs: 2_000,
      presencePublishMs: 2_000,
      presenceStaleMs: 6_000,
      presenceListedMax: 1_000,
    });
  });

  it("reads each from the environment", () => {
    const config = loadConfig({
      DEDUP_WINDOW_SEC: "60",
      COMMIT_MAX_BATCH: "100",
      PERSIST_BATCH: "50",
      REDIS_COMMAND_TIMEOUT_MS: "900",
      PRESENCE_PUBLISH_MS: "500",
      PRESENCE_STALE_MS: "1500",
    });
    expect(config.dedupWindowSec).toBe(60);
    expect(config.commitMaxBatch).toBe(100);
    expect(config.redis.persistBatch).toBe(50);
    expect(config.redis.commandTimeoutMs).toBe(900);
    expect(config.redis.presencePublishMs).toBe(500);
  });

  it("stops with one line per problem", () => {
    try {
      loadConfig({ PERSIST_MAX_ATTEMPTS: "0", PRESENCE_PUBLISH_MS: "5000", PRESENCE_STALE_MS: "4000" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^PERSIST_MAX_ATTEMPTS/);
      expect(problems[1]).toMatch(/^PRESENCE_STALE_MS/);
    }
  });
});
