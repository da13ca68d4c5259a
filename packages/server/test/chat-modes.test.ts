/**
 * Chat modes set through PATCH settings take effect on the next message, over REST and
 * WebSocket, with the exemptions of the README's table; each change emits `channel_updated`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import { api, createChannel, guest, postMessage, register, type Session, WsClient } from "./helpers.js";

describe("chat modes", () => {
  let server: TestServer;
  let owner: Session;
  let mod: Session;
  let vip: Session;
  let sub: Session;
  let viewer: Session;
  let channel: string;
  const url = () => server.url;
  const settings = async (by: Session, patch: object) => {
    const res = await api(url(), "PATCH", `/api/channels/${channel}`, { token: by.token, body: { settings: patch } });
    expect(res.status, res.text).toBe(200);
  };
  const post = async (by: Session, text: string) => postMessage(url(), by, channel, text);
  const codeOf = async (by: Session, text: string) => {
    const res = await post(by, text);
    return res.status === 201 ? "ok" : (res.body as unknown as { error: { code: string } }).error.code;
  };

  beforeAll(async () => {
    server = await startTestServer();
    owner = await register(server.url, "owner");
    channel = await createChannel(server.url, owner);
    mod = await register(server.url, "mod");
    vip = await register(server.url, "vip");
    sub = await register(server.url, "sub");
    viewer = await register(server.url, "viewer");
    const { channels } = server.server().services;
    for (const [s, role] of [
      [mod, "moderator"],
      [vip, "vip"],
      [sub, "subscriber"],
    ] as const)
      await channels.setRole(channel, s.user.id, role);
  });
  afterAll(async () => {
    await server.dispose();
  });

  it("slow mode: 429 slow_mode with the wait for viewers and subscribers; VIPs and above exempt", async () => {
    const watcher = await WsClient.connect(url());
    try {
      await watcher.subscribe(channel);
      // Moderators may switch chat modes, and every change is an event.
      await settings(mod, { slowModeSec: 30 });
      await watcher.waitForEvent("channel_updated", (e) => e.data.channel.settings.slowModeSec === 30);
    } finally {
      watcher.close();
    }
    expect(await codeOf(viewer, "first")).toBe("ok");
    const second = await post(viewer, "second");
    expect(second.status).toBe(429);
    expect(second.body).toMatchObject({ error: { code: "slow_mode" } });
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(25);
    expect((await codeOf(sub, "a")) + (await codeOf(sub, "b"))).toBe("okslow_mode");
    for (const s of [vip, mod, owner]) expect((await codeOf(s, "1")) + (await codeOf(s, "2"))).toBe("okok");
    const ws = await WsClient.authed(url(), viewer.token);
    try {
      expect(await ws.sendMessage(channel, "over ws")).toMatchObject({ op: "error", code: "slow_mode" });
    } finally {
      ws.close();
    }
    await settings(owner, { slowModeSec: 0 });
    expect(await codeOf(viewer, "free again")).toBe("ok");
  });

  it("subscribers-only, emote-only and guests-not-allowed refuse with mode_restricted", async () => {
    await settings(owner, { subscribersOnly: true });
    expect(await codeOf(viewer, "hi")).toBe("mode_restricted");
    expect(await codeOf(sub, "hi")).toBe("ok");
    await settings(owner, { subscribersOnly: false, emoteOnly: true });
    expect(await codeOf(viewer, "words")).toBe("mode_restricted");
    expect(await codeOf(viewer, "KEKW 🎉")).toBe("ok");
    expect(await codeOf(vip, "vip words")).toBe("mode_restricted");
    expect(await codeOf(mod, "mod words")).toBe("ok");
    await settings(owner, { emoteOnly: false, guestsAllowed: false });
    const visitor = await guest(url());
    expect(await codeOf(visitor, "hello")).toBe("mode_restricted");
    await settings(owner, { guestsAllowed: true });
    expect(await codeOf(visitor, "hello")).toBe("ok");
  });

  it("followers-only: follow (long enough) to chat; guests cannot; VIPs and above exempt", async () => {
    await settings(owner, { followersOnlyMin: 0 });
    const fan = await register(url(), "fan");
    expect(await codeOf(fan, "hi")).toBe("mode_restricted");
    const follow = await api<{ following: boolean; since: number }>(url(), "POST", `/api/channels/${channel}/follow`, {
      token: fan.token,
    });
    expect(follow.status, follow.text).toBe(200);
    expect(await codeOf(fan, "hi")).toBe("ok");
    await settings(owner, { followersOnlyMin: 10 });
    expect(await codeOf(fan, "too new")).toBe("mode_restricted");
    // A follower of eleven minutes' standing.
    const veteran = await register(url(), "veteran");
    await server.server().services.store.follows.follow(channel, veteran.user.id, Date.now() - 11 * 60_000);
    expect(await codeOf(veteran, "been here")).toBe("ok");
    expect(await codeOf(vip, "exempt")).toBe("ok");
    const visitor = await guest(url());
    expect((await api(url(), "POST", `/api/channels/${channel}/follow`, { token: visitor.token })).status).toBe(403);
    expect(await codeOf(visitor, "hi")).toBe("mode_restricted");
    expect((await api(url(), "DELETE", `/api/channels/${channel}/follow`, { token: veteran.token })).status).toBe(204);
    expect(await codeOf(veteran, "gone")).toBe("mode_restricted");
    await settings(owner, { followersOnlyMin: null });
  });

  it("unique chat: no repeating your own message within 30 s; others may say the same; VIPs exempt", async () => {
    await settings(owner, { uniqueChat: true });
    expect(await codeOf(viewer, "GG WP")).toBe("ok");
    expect(await codeOf(viewer, "gg   wp")).toBe("mode_restricted");
    expect(await codeOf(sub, "GG WP")).toBe("ok");
    expect((await codeOf(vip, "same")) + (await codeOf(vip, "same"))).toBe("okok");
    await settings(owner, { uniqueChat: false });
    expect(await codeOf(viewer, "GG WP")).toBe("ok");
  });

  it("shield mode applies the preset at once and restores the settings from before", async () => {
    await settings(owner, { slowModeSec: 0, guestsAllowed: true, followersOnlyMin: null });
    const watcher = await WsClient.connect(url());
    try {
      await watcher.subscribe(channel);
      await settings(mod, { shieldMode: true });
      const event = await watcher.waitForEvent("channel_updated", (e) => e.data.channel.settings.shieldMode);
      expect(event.data.channel.settings).toMatchObject({
        guestsAllowed: false,
        followersOnlyMin: 10,
        slowModeSec: 5,
        autoModLevel: 4,
      });
      expect(event.data.channel.settings).not.toHaveProperty("shieldRestore");
    } finally {
      watcher.close();
    }
    const visitor = await guest(url());
    expect(await codeOf(visitor, "raid!")).toBe("mode_restricted");
    expect(await codeOf(viewer, "not following")).toBe("mode_restricted");
    await settings(mod, { shieldMode: false });
    const after = await api<{ channel: { settings: Record<string, unknown> } }>(
      url(),
      "GET",
      `/api/channels/${channel}`,
    );
    expect(after.body.channel.settings).toMatchObject({
      shieldMode: false,
      guestsAllowed: true,
      followersOnlyMin: null,
      slowModeSec: 0,
      autoModLevel: 0,
    });
    expect(await codeOf(visitor, "calm again")).toBe("ok");
  });

  it("moderators and the owner get the larger message budget", async () => {
    const { config } = server;
    const perWindow = config.limits.messagesPerWindow;
    const results: string[] = [];
    for (let i = 0; i <= perWindow; i++) results.push(await codeOf(mod, `mod ${i}`));
    expect(results.filter((r) => r !== "ok")).toEqual([]);
    const viewerResults: string[] = [];
    const chatty = await register(url(), "chatty");
    for (let i = 0; i <= perWindow; i++) viewerResults.push(await codeOf(chatty, `v ${i}`));
    expect(viewerResults.at(-1)).toBe("rate_limited");
  });
});
