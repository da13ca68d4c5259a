/**
 * Spam heuristics, trust signals and chat delay through the live server, over REST and
 * WebSocket: link policy, capitals and repeats, account age and the guest cool-down,
 * restricted and monitored users, the caller's standing, and chat delay (a delete in time
 * means viewers never get the text).
 */
import type { Message } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import { api, createChannel, guest, postMessage, register, type Session, sleep, WsClient } from "./helpers.js";

describe("spam and trust", () => {
  let server: TestServer;
  let owner: Session;
  let mod: Session;
  let vip: Session;
  let sub: Session;
  let channel: string;
  const url = () => server.url;
  const settings = async (patch: object) => {
    const res = await api(url(), "PATCH", `/api/channels/${channel}`, { token: mod.token, body: { settings: patch } });
    expect(res.status, res.text).toBe(200);
  };
  const errorOf = async (by: Session, text: string) => {
    const res = await postMessage(url(), by, channel, text);
    if (res.status === 201) return "ok";
    if (res.status === 202) return "held";
    return (res.body as unknown as { error: { code: string; retryAfterMs?: number } }).error;
  };
  const codeOf = async (by: Session, text: string) => {
    const e = await errorOf(by, text);
    return typeof e === "string" ? e : e.code;
  };

  beforeAll(async () => {
    server = await startTestServer();
    owner = await register(server.url, "owner");
    channel = await createChannel(server.url, owner);
    mod = await register(server.url, "mod");
    vip = await register(server.url, "vip");
    sub = await register(server.url, "sub");
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

  it("links: refused below VIP by default (REST and WS), allowed once linksMinRole is lowered", async () => {
    const viewer = await register(url(), "linker");
    expect(await codeOf(viewer, "free skins at skins-gift.example.com")).toBe("spam");
    expect(await codeOf(sub, "https://example.com/clip")).toBe("spam");
    expect(await codeOf(vip, "https://example.com/clip")).toBe("ok");
    expect(await codeOf(viewer, "version 1.2.3 is out, e.g. today")).toBe("ok");
    const ws = await WsClient.authed(url(), viewer.token);
    try {
      const frame = await ws.sendMessage(channel, "see www.example.org");
      expect(frame).toMatchObject({ op: "error", code: "spam" });
      await settings({ linksMinRole: "viewer" });
      expect((await ws.sendMessage(channel, "see www.example.org")).op).toBe("ack");
    } finally {
      ws.close();
      await settings({ linksMinRole: "vip" });
    }
  });

  it("capitals and repeats: off by default, refused with spam once set, VIPs exempt", async () => {
    const viewer = await register(url(), "shouter");
    expect(await codeOf(viewer, "THIS STREAM IS THE BEST EVER")).toBe("ok");
    await settings({ capsLimitPercent: 70, repeatLimit: 10 });
    try {
      expect(await codeOf(viewer, "THIS STREAM IS THE BEST EVER!")).toBe("spam");
      expect(await codeOf(vip, "THIS STREAM IS THE BEST EVER!!")).toBe("ok");
      expect(await codeOf(viewer, "KEKW KEKW OMEGALUL so good")).toBe("ok");
      expect(await codeOf(viewer, "nooooooooooooooooo")).toBe("spam");
      expect(await codeOf(viewer, "noooooo")).toBe("ok");
    } finally {
      await settings({ capsLimitPercent: null, repeatLimit: null });
    }
  });

  it("account age and guest cool-down: mode_restricted with the time left; subscribers exempt from the age", async () => {
    const fresh = await register(url(), "fresh");
    await settings({ minAccountAgeMin: 60 });
    try {
      const refused = await errorOf(fresh, "hello");
      expect(refused).toMatchObject({ code: "mode_restricted" });
      if (typeof refused !== "string") expect(refused.retryAfterMs).toBeGreaterThan(59 * 60_000);
      expect(await codeOf(sub, "subscribers are exempt")).toBe("ok");
    } finally {
      await settings({ minAccountAgeMin: null });
    }
    expect(await codeOf(fresh, "now I may")).toBe("ok");
    await settings({ guestCooldownSec: 2 });
    try {
      const g = await guest(url(), "newguest");
      expect(await codeOf(g, "too early")).toBe("mode_restricted");
      expect(await codeOf(fresh, "accounts do not wait")).toBe("ok");
      await sleep(2_100);
      expect(await codeOf(g, "after the cool-down")).toBe("ok");
    } finally {
      await settings({ guestCooldownSec: 0 });
    }
  });

  it("settings out of range are 400 and change nothing", async () => {
    for (const bad of [{ chatDelaySec: 3 }, { capsLimitPercent: 20 }, { linksMinRole: "nobody" }, { repeatLimit: 1 }]) {
      const res = await api(url(), "PATCH", `/api/channels/${channel}`, {
        token: owner.token,
        body: { settings: bad },
      });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    const res = await api<{ channel: { settings: Record<string, unknown> } }>(url(), "GET", `/api/channels/${channel}`);
    expect(res.body.channel.settings).toMatchObject({ chatDelaySec: 0, capsLimitPercent: null, linksMinRole: "vip" });
  });

  it("restricted: held for moderators (who hear it live), never shown to viewers; monitored passes; both logged", async () => {
    const suspect = await register(url(), "suspect");
    const modWs = await WsClient.authed(url(), mod.token);
    const viewerWs = await WsClient.connect(url());
    try {
      await modWs.subscribe(channel);
      await viewerWs.subscribe(channel);
      const mark = modWs.mark();
      const put = await api<{ user: { status: string; by: string } }>(
        url(),
        "PUT",
        `/api/channels/${channel}/suspicious/${suspect.user.username}`,
        { token: mod.token, body: { status: "restricted", reason: "ban evasion" } },
      );
      expect(put.status, put.text).toBe(200);
      expect(put.body.user).toMatchObject({ status: "restricted", by: mod.user.username });
      await modWs.waitForEvent("user_status_changed", (e) => e.data.username === suspect.user.username, mark);
      const held = await api<{ held: boolean; id: string }>(url(), "POST", `/api/channels/${channel}/messages`, {
        token: suspect.token,
        body: { text: "hello from a suspect" },
      });
      expect(held.status, held.text).toBe(202);
      const seen = await modWs.waitForEvent("message_held", (e) => e.data.message.id === held.body.id, mark);
      expect(seen.data.reasons).toEqual(["restricted"]);
      // Over WebSocket too.
      const ws = await WsClient.authed(url(), suspect.token);
      expect((await ws.sendMessage(channel, "and again")).op).toBe("held");
      ws.close();
      // Monitored: published.
      await api(url(), "PUT", `/api/channels/${channel}/suspicious/${suspect.user.username}`, {
        token: mod.token,
        body: { status: "monitored" },
      });
      expect(await codeOf(suspect, "monitored now")).toBe("ok");
      const list = await api<{ users: Array<{ username: string; status: string }> }>(
        url(),
        "GET",
        `/api/channels/${channel}/suspicious`,
        { token: mod.token },
      );
      expect(list.body.users).toEqual([
        expect.objectContaining({ username: suspect.user.username, status: "monitored" }),
      ]);
      expect((await api(url(), "GET", `/api/channels/${channel}/suspicious`, { token: suspect.token })).status).toBe(
        403,
      );
      const del = await api(url(), "DELETE", `/api/channels/${channel}/suspicious/${suspect.user.username}`, {
        token: mod.token,
      });
      expect(del.status).toBe(204);
      expect(
        (
          await api(url(), "DELETE", `/api/channels/${channel}/suspicious/${suspect.user.username}`, {
            token: mod.token,
          })
        ).status,
      ).toBe(404);
      await viewerWs.ping();
      const texts = viewerWs.messageEvents(channel).map((e) => e.data.text);
      expect(texts).toContain("monitored now");
      expect(texts).not.toContain("hello from a suspect");
      expect(viewerWs.frames.some((f) => f.op === "event" && f.type === "user_status_changed")).toBe(false);
      const modlog = await api<{ entries: Array<{ action: string; target: string }> }>(
        url(),
        "GET",
        `/api/channels/${channel}/modlog?target=${suspect.user.username}`,
        { token: mod.token },
      );
      expect(modlog.body.entries.map((e) => e.action)).toEqual(["unrestrict", "monitor", "restrict"]);
    } finally {
      modWs.close();
      viewerWs.close();
    }
  });

  it("GET /me: role, moderation rights, a standing timeout and the follow", async () => {
    const viewer = await register(url(), "standing");
    const me = async (s: Session | null) =>
      (await api<Record<string, unknown>>(url(), "GET", `/api/channels/${channel}/me`, { token: s?.token })).body;
    expect(await me(null)).toEqual({ role: null, canModerate: false, sanction: null, followedAt: null });
    expect(await me(mod)).toMatchObject({ role: "moderator", canModerate: true, sanction: null });
    expect(await me(viewer)).toMatchObject({ role: "viewer", canModerate: false, sanction: null, followedAt: null });
    await api(url(), "POST", `/api/channels/${channel}/follow`, { token: viewer.token });
    await api(url(), "POST", `/api/channels/${channel}/bans`, {
      token: mod.token,
      body: { username: viewer.user.username, durationSec: 60 },
    });
    const standing = await me(viewer);
    expect(standing).toMatchObject({ role: "viewer", sanction: { kind: "timeout", by: mod.user.username } });
    expect(typeof standing["followedAt"]).toBe("number");
  });

  it("chat delay: moderators see a message at once, viewers after the delay; deleted in time, viewers never get its text", async () => {
    const author = await register(url(), "delayed");
    await settings({ chatDelaySec: 2 });
    const modWs = await WsClient.authed(url(), mod.token);
    const viewerWs = await WsClient.connect(url());
    try {
      await modWs.subscribe(channel);
      await viewerWs.subscribe(channel);
      const bad = await postMessage(url(), author, channel, "something awful");
      const good = await postMessage(url(), author, channel, "something nice");
      expect([bad.status, good.status]).toEqual([201, 201]);
      await modWs.waitForEvent("message", (e) => e.data.id === good.body.message.id);
      await sleep(300);
      const early = viewerWs.messageEvents(channel).map((e) => e.data.id);
      expect(early).not.toContain(bad.body.message.id);
      expect(early).not.toContain(good.body.message.id);
      const del = await api(url(), "DELETE", `/api/channels/${channel}/messages/${bad.body.message.id}`, {
        token: mod.token,
      });
      expect(del.status).toBe(204);
      await viewerWs.waitForEvent("message", (e) => e.data.id === good.body.message.id, 0, 5_000);
      await viewerWs.waitForEvent("message_deleted", (e) => e.data.id === bad.body.message.id, 0, 5_000);
      const got = new Map<string, Message>(viewerWs.messageEvents(channel).map((e) => [e.data.id, e.data]));
      expect(got.get(bad.body.message.id)).toMatchObject({ text: "", deleted: true, seq: bad.body.message.seq });
      expect(got.get(good.body.message.id)?.text).toBe("something nice");
      expect(JSON.stringify(viewerWs.frames)).not.toContain("something awful");
      // Viewers' seqs stay contiguous through the placeholder.
      const seqs = viewerWs.loggedEvents(channel).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
    } finally {
      modWs.close();
      viewerWs.close();
      await settings({ chatDelaySec: 0 });
    }
  });
});
