/**
 * The shipped deployment's proxy trust, tried as an attacker would: a client that reaches a
 * node directly (not through nginx) and sends its own X-Forwarded-For must not choose the
 * address the per-IP login limit counts. With `TRUST_PROXY: "true"` (as shipped before) 60
 * wrong logins, each "from" another 198.51.100.x, were never throttled.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startTestServer, type TestServer } from "../../packages/server/test/harness.js";
import { api } from "../../packages/server/test/helpers.js";

const deployDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** TRUST_PROXY as deploy/compose.yaml gives it to the nodes (the x-chorus-env anchor). */
function shippedTrustProxy(): string {
  const doc = parse(readFileSync(path.join(deployDir, "compose.yaml"), "utf8"), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string> }>;
  };
  const value = doc.services["chorus-1"]?.environment?.["TRUST_PROXY"];
  if (value === undefined) throw new Error("compose.yaml: chorus-1 has no TRUST_PROXY");
  return value;
}

describe("the shipped proxy trust", () => {
  let server: TestServer;
  beforeAll(async () => {
    const trust = shippedTrustProxy();
    server = await startTestServer({
      trustProxy: trust === "true" ? true : trust === "false" ? false : trust,
      limits: { authPerMinute: 30 },
    });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it("throttles wrong logins from one address however many X-Forwarded-For addresses it claims", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await api(server.url, "POST", "/api/auth/login", {
        headers: { "x-forwarded-for": `198.51.100.${i}` },
        body: { username: "nobody_here", password: `wrong password ${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });
});
