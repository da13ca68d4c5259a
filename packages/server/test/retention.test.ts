/**
 * Retention: a channel that keeps N days loses older messages at the job's next sweep; one that
 * keeps nothing past a broadcast loses that broadcast's messages when it ends; "forever" keeps
 * everything. Other channels are untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import { api, createChannel, history, postMessage, register, type Session } from "./helpers.js";

describe("retention", () => {
  let server: TestServer;
  let owner: Session;
  let mod: Session;
  const settings = (channel: string, by: Session, retention: unknown) =>
    api(server.url, "PATCH", `/api/channels/${channel}`, { token: by.token, body: { settings: { retention } } });

  beforeAll(async () => {
    server = await startTestServer();
    owner = await register(server.url, "owner");
    mod = await register(server.url, "mod");
  });
  afterAll(async () => {
    await server.dispose();
  });

  it("is the owner's setting, validated", async () => {
    const channel = await createChannel(server.url, owner, "ret");
    await server.server().services.channels.setRole(channel, mod.user.id, "moderator");
    expect((await settings(channel, mod, 7)).status).toBe(403);
    expect((await settings(channel, owner, 0)).status).toBe(400);
    expect((await settings(channel, owner, "sometimes")).status).toBe(400);
    expect((await settings(channel, owner, 7)).status).toBe(200);
  });

  it("N days: the sweep removes older messages only, in that channel only", async () => {
    const keep7 = await createChannel(server.url, owner, "keep7");
    const forever = await createChannel(server.url, owner, "forever");
    expect((await settings(keep7, owner, 7)).status).toBe(200);
    for (const channel of [keep7, forever]) {
      expect((await postMessage(server.url, owner, channel, "old news")).status).toBe(201);
    }
    const { retention, log } = server.server().services;
    await log.drain(keep7);
    await log.drain(forever);
    // Eight days from now, both messages are older than a week.
    await retention.sweep(Date.now() + 8 * 24 * 3600 * 1000);
    expect((await history(server.url, keep7)).map((m) => m.text)).toEqual([]);
    expect((await history(server.url, forever)).map((m) => m.text)).toEqual(["old news"]);
    // A sweep now removes nothing newer than the window.
    expect((await postMessage(server.url, owner, keep7, "fresh")).status).toBe(201);
    await log.drain(keep7);
    await retention.sweep();
    expect((await history(server.url, keep7)).map((m) => m.text)).toEqual(["fresh"]);
  });

  it("end_of_broadcast: the broadcast's messages go when it ends; the broadcast stays listed", async () => {
    const channel = await createChannel(server.url, owner, "ephemeral");
    expect((await settings(channel, owner, "end_of_broadcast")).status).toBe(200);
    expect((await postMessage(server.url, owner, channel, "before going live")).status).toBe(201);
    const live = await api<{ broadcast: { id: string } }>(server.url, "POST", `/api/channels/${channel}/live`, {
      token: owner.token,
      body: { title: "off the record" },
    });
    expect((await postMessage(server.url, owner, channel, "during the stream")).status).toBe(201);
    expect((await api(server.url, "DELETE", `/api/channels/${channel}/live`, { token: owner.token })).status).toBe(200);
    expect((await history(server.url, channel)).map((m) => m.text)).toEqual(["before going live"]);
    const broadcasts = await api<{ broadcasts: Array<{ id: string; title: string }> }>(
      server.url,
      "GET",
      `/api/channels/${channel}/broadcasts`,
    );
    expect(broadcasts.body.broadcasts.map((b) => b.id)).toContain(live.body.broadcast.id);
    const transcript = await api<{ messages: unknown[] }>(
      server.url,
      "GET",
      `/api/channels/${channel}/broadcasts/${live.body.broadcast.id}/messages`,
    );
    expect(transcript.body.messages).toEqual([]);
  });
});
