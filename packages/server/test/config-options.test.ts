/** Options that change behaviour must take effect, not only parse. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import { createChannel, loginAdmin, postMessage, register, sleep } from "./helpers.js";

describe("DEDUP_WINDOW_SEC", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dedupWindowSec: 1 });
  });
  afterAll(async () => {
    await server.dispose();
  });

  it("answers a retry inside the window with the original, and takes a reused nonce after it as new", async () => {
    const channel = await createChannel(server.url, await loginAdmin(server.url));
    const user = await register(server.url);
    const first = await postMessage(server.url, user, channel, "hello", "n1");
    expect(first.status).toBe(201);
    const retry = await postMessage(server.url, user, channel, "hello", "n1");
    expect(retry.status).toBe(200);
    expect(retry.body.message.id).toBe(first.body.message.id);
    await sleep(1_300);
    const later = await postMessage(server.url, user, channel, "hello", "n1");
    expect(later.status).toBe(201);
    expect(later.body.message.seq).toBe(first.body.message.seq + 1);
  });
});
