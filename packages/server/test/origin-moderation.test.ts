/**
 * Moderation reaching the origin (Twitch Helix, YouTube's liveChatMessages / liveChatBans): the owner links their account (a token, validated
 * with Twitch and stored encrypted); a moderator's delete and timeout on mirrored Twitch chat
 * are then sent to Helix — here a local stand-in speaking its API — and moderators hear how
 * it went; a refusal by Twitch is reported, and Chorus's own action stands.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { HelixStandin } from "../src/connectors/twitch/helix-standin.js";
import { privmsgLine, TwitchIrcStandin } from "../src/connectors/twitch/twitch-irc-standin.js";
import { YouTubeApiStandin } from "../src/connectors/youtube/youtube-api-standin.js";
import { startTestServer, type TestServer } from "./harness.js";
import { api, createChannel, register, type Session, WsClient } from "./helpers.js";

const TOKEN = "oauth-token-of-the-streamer";

describe("moderation reaches Twitch", () => {
  let irc: TwitchIrcStandin;
  let helix: HelixStandin;
  let server: TestServer;
  let owner: Session;
  let mod: Session;
  let channel: string;

  beforeAll(async () => {
    irc = await TwitchIrcStandin.start();
    helix = await HelixStandin.start();
    helix.tokens.set(TOKEN, {
      clientId: "app-1",
      login: "bigstreamer",
      userId: "1001",
      scopes: ["moderator:manage:banned_users", "moderator:manage:chat_messages"],
    });
    helix.users.set("bigstreamer", "1001");
    helix.users.set("rude_viewer", "2002");
    server = await startTestServer({
      connectors: {
        ...loadConfig({}).connectors,
        twitchIrcUrl: irc.url,
        twitchAuthUrl: helix.url,
        twitchApiUrl: `${helix.url}/helix`,
        scanMs: 200,
      },
    });
    owner = await register(server.url, "owner");
    mod = await register(server.url, "mod");
    channel = await createChannel(server.url, owner, "origin");
    await server.server().services.channels.setRole(channel, mod.user.id, "moderator");
    const put = await api(server.url, "PUT", `/api/channels/${channel}/connectors/twitch`, {
      token: owner.token,
      body: { source: "bigstreamer" },
    });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await server?.dispose();
    await irc?.close();
    await helix?.close();
  });

  it("links an account: only the owner, only a token Twitch accepts; the token is stored encrypted and never shown", async () => {
    const path = `/api/channels/${channel}/platform-accounts/twitch`;
    expect((await api(server.url, "PUT", path, { token: mod.token, body: { token: TOKEN } })).status).toBe(403);
    const bad = await api(server.url, "PUT", path, { token: owner.token, body: { token: "not-a-token" } });
    expect(bad.status).toBe(400);
    // Not ASCII: it could never be sent in a header (found by the fuzzer: it was a 500).
    for (const token of ["١٢", "tök", "a b"]) {
      const odd = await api(server.url, "PUT", path, { token: owner.token, body: { token } });
      expect(odd.status, token).toBe(400);
      expect(odd.body.error?.code).toBe("invalid_request");
    }
    const linked = await api<{ account: { login: string; scopes: string[] } }>(server.url, "PUT", path, {
      token: owner.token,
      body: { token: TOKEN },
    });
    expect(linked.status, linked.text).toBe(200);
    expect(linked.body.account).toMatchObject({ platform: "twitch", login: "bigstreamer" });
    const listed = await api(server.url, "GET", `/api/channels/${channel}/platform-accounts`, { token: mod.token });
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(TOKEN);
    const stored = await server.server().services.store.platformAccounts.get(channel, "twitch");
    expect(stored?.tokenEncrypted).toMatch(/^v1:/);
    expect(stored?.tokenEncrypted).not.toContain(TOKEN);
  });

  it("a delete and a timeout on mirrored chat go to Helix; moderators hear the outcome, a refusal included", async () => {
    const modWs = await WsClient.authed(server.url, mod.token);
    try {
      await modWs.subscribe(channel);
      await waitUntil(() => irc.open.some((c) => c.channels.has("#bigstreamer")));
      irc.send(privmsgLine({ channel: "bigstreamer", login: "rude_viewer", id: "tw-rude-1", text: "something rude" }));
      const mirrored = await modWs.waitForEvent("message", (e) => e.data.text === "something rude", 0, 10_000);

      const del = await api(server.url, "DELETE", `/api/channels/${channel}/messages/${mirrored.data.id}`, {
        token: mod.token,
      });
      expect(del.status).toBe(204);
      const deleted = await modWs.waitForEvent("origin_moderation", (e) => e.data.action === "delete", 0, 10_000);
      expect(deleted.data).toMatchObject({ platform: "twitch", ok: true, target: "tw-rude-1", by: mod.user.username });
      expect(helix.calls.find((c) => c.path === "/helix/moderation/chat")?.query).toEqual({
        broadcaster_id: "1001",
        moderator_id: "1001",
        message_id: "tw-rude-1",
      });

      const timeout = await api(server.url, "POST", `/api/channels/${channel}/bans`, {
        token: mod.token,
        body: { username: "rude_viewer@twitch", durationSec: 600, reason: "rude" },
      });
      expect(timeout.status, timeout.text).toBe(201);
      const timedOut = await modWs.waitForEvent("origin_moderation", (e) => e.data.action === "timeout", 0, 10_000);
      expect(timedOut.data).toMatchObject({ ok: true, target: "rude_viewer@twitch" });
      expect(helix.calls.find((c) => c.method === "POST" && c.path === "/helix/moderation/bans")?.body).toEqual({
        data: { user_id: "2002", duration: 600, reason: "rude" },
      });

      // Twitch refuses the unban: reported to moderators; the unban here stands.
      helix.failNextCall(
        403,
        "The user specified in the moderator_id query parameter is not one of the broadcaster's moderators.",
      );
      const lift = await api(server.url, "DELETE", `/api/channels/${channel}/bans/rude_viewer@twitch`, {
        token: mod.token,
      });
      expect(lift.status).toBe(204);
      const refused = await modWs.waitForEvent("origin_moderation", (e) => e.data.action === "unban", 0, 10_000);
      expect(refused.data.ok).toBe(false);
      expect(refused.data.error).toContain("not one of the broadcaster's moderators");
    } finally {
      modWs.close();
    }
  });

  it("native messages and users never reach Twitch; unlinking stops it", async () => {
    const before = helix.calls.length;
    const viewer = await register(server.url, "native");
    await api(server.url, "POST", `/api/channels/${channel}/bans`, {
      token: mod.token,
      body: { username: viewer.user.username, durationSec: 60 },
    });
    expect(
      (await api(server.url, "DELETE", `/api/channels/${channel}/platform-accounts/twitch`, { token: owner.token }))
        .status,
    ).toBe(204);
    await api(server.url, "POST", `/api/channels/${channel}/bans`, {
      token: mod.token,
      body: { username: "rude_viewer@twitch" },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(helix.calls.length).toBe(before);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("moderation reaches YouTube", () => {
  let yt: YouTubeApiStandin;
  let server: TestServer;
  let owner: Session;
  let mod: Session;
  let channel: string;

  beforeAll(async () => {
    yt = await YouTubeApiStandin.start();
    yt.createChat("chat-yt-origin-000001", "abcdefghijk");
    yt.oauthTokens.set("google-token", "UCstreamerChannel0000001");
    server = await startTestServer({
      connectors: {
        ...loadConfig({}).connectors,
        youtubeApiUrl: yt.apiUrl,
        youtubeApiKey: yt.apiKey,
        googleOAuthUrl: yt.oauthUrl,
        scanMs: 200,
      },
    });
    owner = await register(server.url, "owner");
    mod = await register(server.url, "mod");
    channel = await createChannel(server.url, owner, "ytorigin");
    await server.server().services.channels.setRole(channel, mod.user.id, "moderator");
    await api(server.url, "PUT", `/api/channels/${channel}/connectors/youtube`, {
      token: owner.token,
      body: { source: "abcdefghijk" },
    });
  });
  afterAll(async () => {
    await server?.dispose();
    await yt?.close();
  });

  it("links a Google account; a delete and a timeout on mirrored YouTube chat go to the API, the channel id's case kept", async () => {
    const path = `/api/channels/${channel}/platform-accounts/youtube`;
    expect((await api(server.url, "PUT", path, { token: owner.token, body: { token: "bad" } })).status).toBe(400);
    const linked = await api<{ account: { login: string } }>(server.url, "PUT", path, {
      token: owner.token,
      body: { token: "google-token" },
    });
    expect(linked.status, linked.text).toBe(200);
    expect(linked.body.account.login).toBe("UCstreamerChannel0000001");

    const modWs = await WsClient.authed(server.url, mod.token);
    try {
      await modWs.subscribe(channel);
      const ytId = yt.pushText(
        "chat-yt-origin-000001",
        { channelId: "UCRudeViewerMixedCase01", displayName: "Rude" },
        "rude words",
      );
      const mirrored = await modWs.waitForEvent("message", (e) => e.data.text === "rude words", 0, 10_000);
      expect(mirrored.data.author.externalId).toBe("UCRudeViewerMixedCase01");
      expect(
        (await api(server.url, "DELETE", `/api/channels/${channel}/messages/${mirrored.data.id}`, { token: mod.token }))
          .status,
      ).toBe(204);
      const deleted = await modWs.waitForEvent("origin_moderation", (e) => e.data.action === "delete", 0, 10_000);
      expect(deleted.data).toMatchObject({ platform: "youtube", ok: true });
      expect(yt.moderationCalls.find((c) => c.method === "DELETE")?.query).toEqual({ id: ytId });

      const timeout = await api(server.url, "POST", `/api/channels/${channel}/bans`, {
        token: mod.token,
        body: { username: mirrored.data.author.username, durationSec: 300 },
      });
      expect(timeout.status, timeout.text).toBe(201);
      const timedOut = await modWs.waitForEvent("origin_moderation", (e) => e.data.action === "timeout", 0, 10_000);
      expect(timedOut.data, JSON.stringify(timedOut.data)).toMatchObject({ ok: true });
      expect(yt.moderationCalls.find((c) => c.method === "POST")?.body).toEqual({
        snippet: {
          liveChatId: "chat-yt-origin-000001",
          type: "temporary",
          banDurationSeconds: 300,
          bannedUserDetails: { channelId: "UCRudeViewerMixedCase01" },
        },
      });
    } finally {
      modWs.close();
    }
  });
});
