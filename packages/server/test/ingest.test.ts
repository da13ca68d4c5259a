/**
 * Ingest from other platforms through the live server: ingest keys (owner only, secret shown
 * once, revocation at once, one channel each), the per-item results, normalisation of a
 * Twitch-shaped item, moderation of ingested messages, whole-request validation, and dedup of
 * a repeated externalId under concurrency.
 */
import type { IngestItem, IngestResult, Message } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import { api, createChannel, history, register, type Session, WsClient } from "./helpers.js";

describe("ingest", () => {
  let server: TestServer;
  let owner: Session;
  let mod: Session;
  let channel: string;
  let secret: string;
  const url = () => server.url;
  let n = 0;
  const item = (overrides: Partial<IngestItem> = {}): IngestItem => ({
    externalId: `ext-${++n}-${Date.now()}`,
    username: "some_viewer",
    text: `hello from twitch ${n}`,
    ...overrides,
  });
  const ingest = (body: unknown, key = secret, path = `/api/channels/${channel}/ingest/twitch`) =>
    api<{ results: IngestResult[] }>(url(), "POST", path, { token: key, body });

  beforeAll(async () => {
    server = await startTestServer();
    owner = await register(server.url, "owner");
    mod = await register(server.url, "mod");
    channel = await createChannel(server.url, owner, "ingest");
    await server.server().services.channels.setRole(channel, mod.user.id, "moderator");
    const res = await api<{ key: { id: string; label: string }; secret: string }>(
      server.url,
      "POST",
      `/api/channels/${channel}/ingest-keys`,
      { token: owner.token, body: { label: "bridge" } },
    );
    expect(res.status, res.text).toBe(201);
    secret = res.body.secret;
  });
  afterAll(async () => {
    await server.dispose();
  });

  it("keys: only the owner creates, lists (never the secret) and revokes; a revoked key stops at once", async () => {
    const path = `/api/channels/${channel}/ingest-keys`;
    expect((await api(url(), "POST", path, { token: mod.token, body: {} })).status).toBe(403);
    expect((await api(url(), "GET", path, { token: mod.token })).status).toBe(403);
    expect((await api(url(), "GET", path)).status).toBe(401);
    const created = await api<{ key: { id: string }; secret: string }>(url(), "POST", path, {
      token: owner.token,
      body: { label: "temporary" },
    });
    expect(created.status).toBe(201);
    const list = await api<{ keys: Array<Record<string, unknown>> }>(url(), "GET", path, { token: owner.token });
    expect(list.body.keys.map((k) => k["label"])).toEqual(["bridge", "temporary"]);
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
    expect(Object.keys(list.body.keys[0] ?? {}).sort()).toEqual(["createdAt", "id", "label", "lastUsedAt"]);
    expect((await ingest(item(), created.body.secret)).status).toBe(200);
    expect((await api(url(), "DELETE", `${path}/${created.body.key.id}`, { token: owner.token })).status).toBe(204);
    const after = await ingest(item(), created.body.secret);
    expect(after.status).toBe(401);
    expect((await ingest(item(), "chorus_ik_not-a-key")).status).toBe(401);
    expect((await ingest(item(), "")).status).toBe(401);
  });

  it("a key works only for its channel; /api/producers/:platform ingests into the key's channel", async () => {
    const other = await createChannel(url(), owner, "other");
    const foreign = await ingest(item(), secret, `/api/channels/${other}/ingest/twitch`);
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ error: { code: "forbidden" } });
    const viaShortcut = await ingest(item({ text: "via the producers shortcut" }), secret, "/api/producers/youtube");
    expect(viaShortcut.status, viaShortcut.text).toBe(200);
    const [result] = viaShortcut.body.results;
    expect(result?.status).toBe("published");
    const stored = (await history(url(), channel)).find((m) => m.id === result?.id);
    expect(stored?.author.platform).toBe("youtube");
  });

  it("normalises a Twitch item: platform, login@twitch, display name, colour, badges with months, emotes with images, first message", async () => {
    const watcher = await WsClient.connect(url());
    try {
      await watcher.subscribe(channel);
      const res = await ingest(
        item({
          username: "CoolViewer",
          displayName: "Cool\u202EViewer",
          color: "#1e90ff",
          badges: ["subscriber/14", "vip/1", "glhf-pledge/1"],
          text: "nice play Kappa PogChamp Kappa",
          emotes: [
            { name: "Kappa", start: 10, end: 14, url: "https://static-cdn.jtvnw.net/emoticons/v2/25/default/dark/1.0" },
            { name: "PogChamp", start: 16, end: 23, url: "javascript:alert(1)" },
          ],
          firstMessage: true,
        }),
      );
      expect(res.status, res.text).toBe(200);
      const [result] = res.body.results;
      expect(result).toMatchObject({ status: "published", id: expect.any(String), seq: expect.any(Number) });
      const event = await watcher.waitForEvent("message", (e) => e.data.id === result?.id);
      expect(event.data.author).toMatchObject({
        username: "coolviewer@twitch",
        displayName: "CoolViewer",
        color: "#1E90FF",
        badges: ["subscriber/14", "vip"],
        role: "vip",
        platform: "twitch",
      });
      expect(event.data.emotes).toEqual([
        { name: "Kappa", start: 10, end: 14, url: "https://static-cdn.jtvnw.net/emoticons/v2/25/default/dark/1.0" },
        { name: "PogChamp", start: 16, end: 23 },
        { name: "Kappa", start: 25, end: 29, url: "https://static-cdn.jtvnw.net/emoticons/v2/25/default/dark/1.0" },
      ]);
      expect(event.data.firstMessage).toBe(true);
    } finally {
      watcher.close();
    }
  });

  it("answers each item in order: published, duplicate (a repeated externalId), rejected, held; replies map to our ids", async () => {
    await api(url(), "PATCH", `/api/channels/${channel}`, {
      token: owner.token,
      body: {
        settings: {
          blockedTerms: [
            { term: "scam", action: "reject" },
            { term: "giveaway", action: "hold" },
          ],
        },
      },
    });
    const first = item({ text: "the original" });
    const res = await ingest([
      first,
      item({ text: "a reply", replyTo: first.externalId }),
      { ...first, text: "the same id again" },
      item({ text: "total scam" }),
      item({ text: "free giveaway here" }),
      item({ text: "visit example.com now" }),
    ]);
    expect(res.status, res.text).toBe(200);
    const results = res.body.results;
    expect(results.map((r) => r.status)).toEqual([
      "published",
      "published",
      "duplicate",
      "rejected",
      "held",
      "rejected",
    ]);
    expect(results[2]?.id).toBe(results[0]?.id);
    expect(results[3]).toMatchObject({ code: "blocked_term" });
    expect(results[5]).toMatchObject({ code: "spam" }); // links below VIP, as for native chatters
    const stored = await history(url(), channel);
    const reply = stored.find((m) => m.id === results[1]?.id);
    expect(reply?.replyTo).toBe(results[0]?.id);
    expect(stored.filter((m) => m.text === "the same id again")).toEqual([]);
  });

  it("a banned platform user's next items are rejected with banned", async () => {
    const banned = await api(url(), "POST", `/api/channels/${channel}/bans`, {
      token: mod.token,
      body: { username: "troll_account@twitch" },
    });
    // The identity exists once the user has posted.
    expect(banned.status).toBe(404);
    expect((await ingest(item({ username: "Troll_Account" }))).body.results[0]?.status).toBe("published");
    const ban = await api(url(), "POST", `/api/channels/${channel}/bans`, {
      token: mod.token,
      body: { username: "troll_account@twitch" },
    });
    expect(ban.status, ban.text).toBe(201);
    const [result] = (await ingest(item({ username: "troll_account" }))).body.results;
    expect(result).toMatchObject({ status: "rejected", code: "banned" });
  });

  it("a malformed item is 400 naming it, and nothing of the request is stored; over 100 items is 400", async () => {
    const before = (await history(url(), channel)).length;
    const good = item({ text: "must not be stored" });
    for (const body of [
      [good, { externalId: "x1", username: "a" }],
      [good, { ...item(), text: 42 }],
      [good, { ...item(), text: "line\u0000nul" }],
      [good, { ...item(), text: "   " }],
      [good, { ...item(), surprise: true }],
      Array.from({ length: 101 }, () => item()),
      [],
    ]) {
      const res = await ingest(body);
      expect(res.status, JSON.stringify(body).slice(0, 100)).toBe(400);
      expect(res.body).toMatchObject({ error: { code: "invalid_request" } });
    }
    const missing = await ingest([good, { externalId: "x1", username: "a" }]);
    expect(missing.body.error?.message).toMatch(/text/);
    const blank = await ingest([good, { ...item(), text: "   " }]);
    expect(blank.body.error?.message).toMatch(/items\[1\]\.text/);
    const after = await history(url(), channel);
    expect(after.length).toBe(before);
    expect(after.some((m: Message) => m.text === "must not be stored")).toBe(false);
  });

  it("20 concurrent posts of one externalId publish it once", async () => {
    const once = item({ text: "exactly once" });
    const results = await Promise.all(Array.from({ length: 20 }, () => ingest(once)));
    const statuses = results.map((r) => r.body.results[0]?.status);
    expect(statuses.filter((s) => s === "published")).toHaveLength(1);
    expect(statuses.filter((s) => s === "duplicate")).toHaveLength(19);
    expect(new Set(results.map((r) => r.body.results[0]?.id)).size).toBe(1);
    expect((await history(url(), channel)).filter((m) => m.text === "exactly once")).toHaveLength(1);
  });
});
