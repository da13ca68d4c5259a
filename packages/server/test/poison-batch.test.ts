/**
 * One bad message must never fail someone else's. A send whose nonce held a NUL (which
 * PostgreSQL text cannot store) used to make the embedded group commit reject its whole
 * batch: other users' concurrent messages, in other channels too, failed with `unavailable`.
 * Pinned at two depths: the boundary rejects such input before it is batched, and the log
 * isolates a row the store still refuses, so only that row fails.
 */
import type { EventDraft, Message } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedLog } from "../src/adapters/embedded/embedded-log.js";
import { openStore } from "../src/adapters/sql/open-store.js";
import type { Store } from "../src/ports/store.js";
import { seedChannel } from "./contracts/fixtures.js";
import { startTestServer, type TestServer } from "./harness.js";
import { api, createChannel, history, loginAdmin, register, type Session, uniqueName, WsClient } from "./helpers.js";

const draft = (text: string): EventDraft => ({
  type: "message",
  at: Date.now(),
  data: {
    id: uniqueName("m"),
    channel: "",
    seq: 0,
    text,
    createdAt: Date.now(),
    author: {
      id: "u1",
      username: "u1",
      displayName: "u1",
      color: "#fff",
      role: "viewer",
      badges: [],
      platform: "chorus",
    },
  } satisfies Message,
});

describe("embedded group commit isolates a row the store refuses", () => {
  let store: Store;
  let log: EmbeddedLog;
  beforeAll(async () => {
    store = await openStore({ dataDir: "memory://", databaseUrl: null });
    log = await EmbeddedLog.open(store);
  });
  afterAll(async () => {
    await log.close();
    await store.close();
  });

  it("fails only the poisoned append; the batch's others commit with contiguous seqs", async () => {
    const { channel: a } = await seedChannel(store);
    const { channel: b } = await seedChannel(store);
    // Appended in one turn, so they share one commit: the poison sits in the middle.
    const results = await Promise.allSettled([
      log.append(a, draft("one"), `${a}:k1`),
      log.append(b, draft("other channel"), `${b}:k1`),
      log.append(a, draft("poison"), `${a}:bad\u0000`),
      log.append(a, draft("three"), `${a}:k3`),
      log.append(b, draft("other channel 2")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
    const stored = await store.events.range(a, 0, 10);
    expect(stored.map((e) => e.seq)).toEqual([1, 2]);
    expect(stored.map((e) => (e.type === "message" ? e.data.text : e.type))).toEqual(["one", "three"]);
    expect((await store.events.range(b, 0, 10)).map((e) => e.seq)).toEqual([1, 2]);
    expect(await log.head(a)).toBe(2);
    // The key of the failed row is forgotten: a corrected retry goes through.
    expect(await log.seen(a, `${a}:bad\u0000`)).toBeNull();
  });

  it("a clean batch after a poisoned one commits as one batch again", async () => {
    const { channel: c } = await seedChannel(store);
    await expect(log.append(c, draft("x"), `${c}:\u0000`)).rejects.toThrow();
    const ok = await Promise.all([1, 2, 3].map((i) => log.append(c, draft(`m${i}`), `${c}:${i}`)));
    expect(ok.map((r) => r.event.seq)).toEqual([1, 2, 3]);
  });
});

describe("a NUL nonce over REST and WebSocket fails alone", () => {
  let server: TestServer;
  let admin: Session;
  beforeAll(async () => {
    server = await startTestServer();
    admin = await loginAdmin(server.url);
  });
  afterAll(async () => {
    await server.dispose();
  });

  it("answers invalid_request to the bad sender while concurrent honest senders in two channels all succeed", async () => {
    const [one, two] = [await createChannel(server.url, admin), await createChannel(server.url, admin)];
    const honest = await register(server.url, "honest");
    const attacker = await register(server.url, "attacker");
    const ws = await WsClient.authed(server.url, attacker.token);
    try {
      const honestPosts = [one, two, one, two].map((channel, i) =>
        api<{ message: Message }>(server.url, "POST", `/api/channels/${channel}/messages`, {
          token: honest.token,
          body: { text: `honest ${i}`, nonce: `h${i}` },
        }),
      );
      const badRest = api(server.url, "POST", `/api/channels/${one}/messages`, {
        token: attacker.token,
        body: { text: "x", nonce: "p0\u0000" },
      });
      const badWs = ws.sendMessage(two, "x", "p1\u0000");
      const [good, rest, frame] = await Promise.all([Promise.all(honestPosts), badRest, badWs]);
      expect(good.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      expect(rest.status).toBe(400);
      expect(rest.body).toMatchObject({ error: { code: "invalid_request" } });
      expect(frame).toMatchObject({ op: "error", code: "invalid_request" });
      expect((await history(server.url, one)).map((m) => m.text)).toEqual(["honest 0", "honest 2"]);
      expect((await history(server.url, two)).map((m) => m.text)).toEqual(["honest 1", "honest 3"]);
    } finally {
      ws.close();
    }
  });

  it("rejects a replyTo with a NUL as invalid_request, not 500", async () => {
    const channel = await createChannel(server.url, admin);
    const res = await api(server.url, "POST", `/api/channels/${channel}/messages`, {
      token: admin.token,
      body: { text: "x", replyTo: "x\u0000" },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "invalid_request" } });
  });
});
