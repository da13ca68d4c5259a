/**
 * Kick's chat webhook as a producer: signed deliveries (RSA-SHA256 over id.timestamp.body) go
 * into every channel connected to that Kick channel; forged, stale and foreign deliveries do
 * not. The key pair is the test's own, given to the server as KICK_PUBLIC_KEY.
 */
import { createSign, generateKeyPairSync } from "node:crypto";
import type { Message } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { startTestServer, type TestServer } from "./harness.js";
import { api, createChannel, history, register, type Session } from "./helpers.js";

const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const other = generateKeyPairSync("rsa", { modulusLength: 2048 });

function chatBody(id: string, text: string, slug = "kickstreamer") {
  return JSON.stringify({
    message_id: id,
    replies_to: null,
    broadcaster: { is_anonymous: false, user_id: 1, username: "KickStreamer", channel_slug: slug },
    sender: {
      is_anonymous: false,
      user_id: 2,
      username: "Fan_Boy",
      is_verified: true,
      channel_slug: "fan-boy",
      identity: {
        username_color: "#ff5733",
        badges: [
          { text: "Moderator", type: "moderator" },
          { text: "Subscriber", type: "subscriber", count: 7 },
        ],
      },
    },
    content: text,
    emotes: [],
    created_at: new Date().toISOString(),
  });
}

function delivery(body: string, opts: { key?: typeof privateKey; at?: Date; type?: string; id?: string } = {}) {
  const id = opts.id ?? `01J${Math.random().toString(36).slice(2, 12).toUpperCase()}`;
  const timestamp = (opts.at ?? new Date()).toISOString();
  const signer = createSign("RSA-SHA256");
  signer.update(`${id}.${timestamp}.${body}`);
  return {
    "content-type": "application/json",
    "kick-event-message-id": id,
    "kick-event-message-timestamp": timestamp,
    "kick-event-signature": signer.sign(opts.key ?? privateKey).toString("base64"),
    "kick-event-type": opts.type ?? "chat.message.sent",
    "kick-event-version": "1",
  };
}

describe("Kick webhook", () => {
  let server: TestServer;
  let owner: Session;
  let channel: string;
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${server.url}/api/webhooks/kick`, { method: "POST", headers, body });

  beforeAll(async () => {
    server = await startTestServer({
      connectors: {
        ...loadConfig({}).connectors,
        kickPublicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
      },
    });
    owner = await register(server.url, "owner");
    channel = await createChannel(server.url, owner, "kickchan");
    const put = await api(server.url, "PUT", `/api/channels/${channel}/connectors/kick`, {
      token: owner.token,
      body: { source: "KickStreamer" },
    });
    expect(put.status, put.text).toBe(200);
  });
  afterAll(async () => {
    await server.dispose();
  });

  it("publishes a signed chat.message.sent with Kick's emotes, badges and colour, and marks the connector connected", async () => {
    const body = chatBody("kick-1", "gg [emote:37226:KEKW] wp");
    const res = await post(body, delivery(body));
    expect(res.status, await res.clone().text()).toBe(200);
    const out = (await res.json()) as { channels: Array<{ channel: string; result: { status: string; id: string } }> };
    expect(out.channels).toEqual([{ channel, result: expect.objectContaining({ status: "published" }) }]);
    const stored = (await history(server.url, channel)).find((m: Message) => m.id === out.channels[0]?.result.id);
    expect(stored).toMatchObject({
      text: "gg KEKW wp",
      emotes: [{ name: "KEKW", start: 3, end: 6, url: "https://files.kick.com/emotes/37226/fullsize" }],
      author: {
        username: "fan-boy@kick",
        displayName: "Fan_Boy",
        color: "#FF5733",
        platform: "kick",
        role: "moderator",
        badges: ["moderator", "subscriber/7", "verified"],
      },
    });
    // Kick delivers at least once: the same message again is a duplicate.
    const again = await post(body, delivery(body));
    const second = (await again.json()) as { channels: Array<{ result: { status: string } }> };
    expect(second.channels[0]?.result.status).toBe("duplicate");
    const connectors = await api<{ connectors: Array<{ platform: string; state: string; lastMessageAt: number }> }>(
      server.url,
      "GET",
      `/api/channels/${channel}/connectors`,
      { token: owner.token },
    );
    expect(connectors.body.connectors).toEqual([
      expect.objectContaining({
        platform: "kick",
        source: "kickstreamer",
        state: "connected",
        lastMessageAt: expect.any(Number),
      }),
    ]);
  });

  it("refuses forged, tampered, stale and unsigned deliveries with 401; nothing is stored", async () => {
    const before = (await history(server.url, channel)).length;
    const body = chatBody("kick-2", "forged");
    expect((await post(body, delivery(body, { key: other.privateKey }))).status).toBe(401);
    expect((await post(chatBody("kick-2", "tampered"), delivery(body))).status).toBe(401);
    const stale = new Date(Date.now() - 10 * 60_000);
    expect((await post(body, delivery(body, { at: stale }))).status).toBe(401);
    expect((await post(body, { "content-type": "application/json" })).status).toBe(401);
    expect((await history(server.url, channel)).length).toBe(before);
  });

  it("acknowledges other events and other Kick channels without publishing", async () => {
    const follow = JSON.stringify({ broadcaster: { channel_slug: "kickstreamer" }, follower: { username: "x" } });
    const ignored = await post(follow, delivery(follow, { type: "channel.followed" }));
    expect(ignored.status).toBe(200);
    expect(await ignored.json()).toMatchObject({ channels: [], ignored: expect.stringContaining("channel.followed") });
    const elsewhere = chatBody("kick-3", "not for us", "someoneelse");
    const res = await post(elsewhere, delivery(elsewhere));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ channels: [] });
    const malformed = JSON.stringify({ message_id: "x" });
    expect((await post(malformed, delivery(malformed))).status).toBe(400);
  });
});
