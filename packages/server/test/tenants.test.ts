/**
 * Tenants: each streamer's channels, keys, connectors, settings and moderation are theirs
 * alone. Another registered streamer — an owner elsewhere — can read none of it, change none of
 * it, and their ingest key works only in their own channel.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import { api, createChannel, postMessage, register, type Session } from "./helpers.js";

describe("tenant isolation", () => {
  let server: TestServer;
  let alice: Session;
  let bob: Session;
  let aliceChannel: string;
  let bobChannel: string;
  let bobSecret: string;
  let aliceKeyId: string;

  beforeAll(async () => {
    server = await startTestServer();
    alice = await register(server.url, "alice");
    bob = await register(server.url, "bob");
    aliceChannel = await createChannel(server.url, alice, "alicech");
    bobChannel = await createChannel(server.url, bob, "bobch");
    const aliceKey = await api<{ key: { id: string } }>(
      server.url,
      "POST",
      `/api/channels/${aliceChannel}/ingest-keys`,
      {
        token: alice.token,
        body: { label: "alice's bridge" },
      },
    );
    aliceKeyId = aliceKey.body.key.id;
    const bobKey = await api<{ secret: string }>(server.url, "POST", `/api/channels/${bobChannel}/ingest-keys`, {
      token: bob.token,
      body: {},
    });
    bobSecret = bobKey.body.secret;
  });
  afterAll(async () => {
    await server.dispose();
  });

  it("another streamer can neither read nor manage a channel's keys, connectors, settings, review queue or modlog", async () => {
    const base = `/api/channels/${aliceChannel}`;
    const as = (method: string, path: string, body?: object) =>
      api(server.url, method, `${base}${path}`, { token: bob.token, body });
    const refused = [
      await as("GET", "/ingest-keys"),
      await as("POST", "/ingest-keys", {}),
      await as("DELETE", `/ingest-keys/${aliceKeyId}`),
      await as("GET", "/connectors"),
      await as("PUT", "/connectors/twitch", { source: "hijack" }),
      await as("PATCH", "", { settings: { slowModeSec: 60 } }),
      await as("PATCH", "", { title: "pwned" }),
      await as("GET", "/held"),
      await as("GET", "/modlog"),
      await as("GET", "/bans"),
      await as("GET", "/suspicious"),
      await as("POST", "/clear"),
      await as("POST", "/live", { title: "not yours" }),
      await as("DELETE", "/live"),
    ];
    for (const res of refused) expect(res.status, res.text).toBe(403);
    const channel = await api<{ channel: { title: string; live: boolean; settings: { slowModeSec: number } } }>(
      server.url,
      "GET",
      base,
    );
    expect(channel.body.channel).toMatchObject({ live: false, settings: { slowModeSec: 0 } });
    expect(channel.body.channel.title).not.toBe("pwned");
    const keys = await api<{ keys: unknown[] }>(server.url, "GET", `${base}/ingest-keys`, { token: alice.token });
    expect(keys.body.keys).toHaveLength(1);
  });

  it("another streamer cannot moderate the channel's chatters or messages", async () => {
    const viewer = await register(server.url, "viewer");
    const posted = await postMessage(server.url, viewer, aliceChannel, "hello alice");
    expect(posted.status).toBe(201);
    const del = await api(server.url, "DELETE", `/api/channels/${aliceChannel}/messages/${posted.body.message.id}`, {
      token: bob.token,
    });
    expect(del.status).toBe(403);
    const ban = await api(server.url, "POST", `/api/channels/${aliceChannel}/bans`, {
      token: bob.token,
      body: { username: viewer.user.username },
    });
    expect(ban.status).toBe(403);
    expect((await postMessage(server.url, viewer, aliceChannel, "still here")).status).toBe(201);
  });

  it("a streamer's ingest key works in their channel only", async () => {
    const item = { externalId: "t-1", username: "someone", text: "cross-tenant?" };
    const foreign = await api(server.url, "POST", `/api/channels/${aliceChannel}/ingest/generic`, {
      token: bobSecret,
      body: item,
    });
    expect(foreign.status).toBe(403);
    const own = await api<{ results: Array<{ status: string }> }>(
      server.url,
      "POST",
      `/api/channels/${bobChannel}/ingest/generic`,
      {
        token: bobSecret,
        body: item,
      },
    );
    expect(own.body.results[0]?.status).toBe("published");
    // A session token is not an ingest key, even the owner's.
    const session = await api(server.url, "POST", `/api/channels/${aliceChannel}/ingest/generic`, {
      token: alice.token,
      body: item,
    });
    expect(session.status).toBe(401);
  });

  it("deleting a channel removes its messages and its keys", async () => {
    const doomed = await createChannel(server.url, alice, "doomed");
    const key = await api<{ secret: string }>(server.url, "POST", `/api/channels/${doomed}/ingest-keys`, {
      token: alice.token,
      body: {},
    });
    expect((await postMessage(server.url, alice, doomed, "soon gone")).status).toBe(201);
    expect((await api(server.url, "DELETE", `/api/channels/${doomed}`, { token: alice.token })).status).toBe(204);
    const { store } = server.server().services;
    expect(await store.ingestKeys.list(doomed)).toEqual([]);
    expect(await store.events.messages({ channel: doomed, limit: 10 })).toEqual([]);
    const ingest = await api(server.url, "POST", `/api/channels/${doomed}/ingest/generic`, {
      token: key.body.secret,
      body: { externalId: "x", username: "y", text: "z" },
    });
    expect(ingest.status).toBe(401);
  });
});
