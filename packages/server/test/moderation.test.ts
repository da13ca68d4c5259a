/**
 * Channel moderation over real sockets: bans and timeouts refuse sends on every path with
 * `banned` / `timed_out` + `until`, lifting lets the user back, clear and deletes reach every
 * viewer, roles decide who may act on whom, every action lands in the modlog, and sanctions
 * survive a restart. (The permission table itself is checked exhaustively in
 * moderation-permissions.test.ts, across nodes in moderation-cluster.test.ts.)
 */
import type { Message } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import {
  api,
  createChannel,
  eventually,
  history,
  loginAdmin,
  postMessage,
  register,
  type Session,
  WsClient,
} from "./helpers.js";

interface Ban {
  username: string;
  kind: "ban" | "timeout";
  until: number | null;
  reason: string | null;
  by: string;
}
interface Entry {
  action: string;
  actor: string;
  target: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

describe("channel moderation", () => {
  let server: TestServer;
  let admin: Session;
  let owner: Session;
  let mod: Session;
  let viewer: Session;
  let channel: string;
  const url = () => server.url;
  const ban = (by: Session, body: object, ch = channel) =>
    api<{ ban: Ban }>(url(), "POST", `/api/channels/${ch}/bans`, { token: by.token, body });
  const lift = (by: Session, username: string, ch = channel) =>
    api(url(), "DELETE", `/api/channels/${ch}/bans/${username}`, { token: by.token });
  const setRole = (by: Session, username: string, role: string, ch = channel) =>
    api(url(), "PUT", `/api/channels/${ch}/roles/${username}`, { token: by.token, body: { role } });
  const modlog = async (by: Session, query = "") => {
    const res = await api<{ entries: Entry[] }>(url(), "GET", `/api/channels/${channel}/modlog${query}`, {
      token: by.token,
    });
    expect(res.status, res.text).toBe(200);
    return res.body.entries;
  };

  beforeAll(async () => {
    server = await startTestServer();
    admin = await loginAdmin(server.url);
    owner = await register(server.url, "owner");
    mod = await register(server.url, "mod");
    viewer = await register(server.url, "viewer");
    channel = await createChannel(server.url, owner);
    expect((await setRole(owner, mod.user.username, "moderator")).status).toBe(200);
  });
  afterAll(async () => {
    await server.dispose();
  });

  it("a ban refuses the user's sends over REST and WebSocket, leaves the chatters list, and is logged", async () => {
    const target = await register(url(), "banme");
    const watcher = await WsClient.connect(url());
    const targetWs = await WsClient.authed(url(), target.token);
    try {
      await watcher.subscribe(channel);
      await targetWs.subscribe(channel);
      const chatters = async () =>
        (
          await api<{ chatters: Array<{ username: string }> }>(url(), "GET", `/api/channels/${channel}/users`)
        ).body.chatters.map((c) => c.username);
      await eventually(
        async () => ((await chatters()).includes(target.user.username) ? true : undefined),
        "the chatter",
      );

      const res = await ban(mod, { username: target.user.username, reason: "spam links" });
      expect(res.status, res.text).toBe(201);
      expect(res.body.ban).toMatchObject({
        username: target.user.username,
        kind: "ban",
        until: null,
        reason: "spam links",
        by: mod.user.username,
      });
      await watcher.waitForEvent(
        "user_banned",
        (e) => e.data.username === target.user.username && e.data.reason === "spam links",
      );

      const rest = await postMessage(url(), target, channel, "let me in");
      expect(rest.status).toBe(403);
      expect(rest.body).toMatchObject({ error: { code: "banned", until: null } });
      expect(await targetWs.sendMessage(channel, "over ws")).toMatchObject({
        op: "error",
        code: "banned",
        until: null,
      });
      // Still connected and reading: a ban refuses posting, it does not cut the stream.
      expect(targetWs.isOpen).toBe(true);
      expect(await chatters()).not.toContain(target.user.username);

      const bans = await api<{ bans: Ban[] }>(url(), "GET", `/api/channels/${channel}/bans`, { token: mod.token });
      expect(bans.body.bans.map((b) => b.username)).toContain(target.user.username);
      expect((await modlog(owner, `?target=${target.user.username}`))[0]).toMatchObject({
        action: "ban",
        actor: mod.user.username,
        target: target.user.username,
        reason: "spam links",
      });

      expect((await lift(mod, target.user.username)).status).toBe(204);
      await watcher.waitForEvent("user_unbanned", (e) => e.data.username === target.user.username);
      expect((await postMessage(url(), target, channel, "thanks")).status).toBe(201);
      expect((await lift(mod, target.user.username)).status).toBe(404);
      expect((await modlog(owner, `?target=${target.user.username}`)).map((e) => e.action)).toEqual(["unban", "ban"]);
    } finally {
      watcher.close();
      targetWs.close();
    }
  });

  it("a timeout refuses with timed_out, until and a retry hint, and ends by itself", async () => {
    const target = await register(url(), "timeme");
    const before = Date.now();
    const res = await ban(mod, { username: target.user.username, durationSec: 2 });
    expect(res.status, res.text).toBe(201);
    const until = res.body.ban.until ?? 0;
    expect(until).toBeGreaterThanOrEqual(before + 2_000);
    expect(until).toBeLessThan(Date.now() + 2_500);
    const refused = await postMessage(url(), target, channel, "hello?");
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: "timed_out", until } });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const ws = await WsClient.authed(url(), target.token);
    try {
      expect(await ws.sendMessage(channel, "ws?")).toMatchObject({ op: "error", code: "timed_out", until });
    } finally {
      ws.close();
    }
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now()) + 50));
    expect((await postMessage(url(), target, channel, "back")).status).toBe(201);
    // Nothing is standing any more, so there is nothing to lift.
    expect((await lift(mod, target.user.username)).status).toBe(404);
    expect((await modlog(mod, `?target=${target.user.username}`))[0]).toMatchObject({
      action: "timeout",
      details: { durationSec: 2 },
    });
  });

  it("ranks: moderators cannot act on the owner, on each other or on themselves; viewers cannot act", async () => {
    const mod2 = await register(url(), "mod2");
    expect((await setRole(owner, mod2.user.username, "moderator")).status).toBe(200);
    for (const [actor, target] of [
      [mod, owner],
      [mod, mod2],
      [mod, mod],
      [viewer, mod2],
    ] as const) {
      const res = await ban(actor, { username: target.user.username });
      expect(res.status, `${actor.user.username} → ${target.user.username}: ${res.text}`).toBe(403);
      expect(res.body).toMatchObject({ error: { code: "forbidden" } });
    }
    // Only the owner (or an admin) gives roles; moderators cannot.
    expect((await setRole(mod, viewer.user.username, "vip")).status).toBe(403);
    expect((await setRole(admin, viewer.user.username, "vip")).status).toBe(200);
    expect((await setRole(owner, viewer.user.username, "viewer")).status).toBe(200);
    expect((await setRole(owner, "nobody_here", "vip")).status).toBe(404);
    // The owner can act on a moderator; an admin on anyone.
    expect((await ban(owner, { username: mod2.user.username, durationSec: 60 })).status).toBe(201);
    expect((await lift(admin, mod2.user.username)).status).toBe(204);
    expect((await modlog(owner, "?action=set_role")).map((e) => e.details["role"])).toEqual(
      expect.arrayContaining(["moderator", "vip", "viewer"]),
    );
  });

  it("a promoted user's open connection gets the new rights at once", async () => {
    const promoted = await register(url(), "promoted");
    const victim = await register(url(), "victim");
    expect((await ban(promoted, { username: victim.user.username })).status).toBe(403);
    expect((await setRole(owner, promoted.user.username, "moderator")).status).toBe(200);
    expect((await ban(promoted, { username: victim.user.username })).status).toBe(201);
    expect((await setRole(owner, promoted.user.username, "viewer")).status).toBe(200);
    expect((await lift(promoted, victim.user.username)).status).toBe(403);
  });

  it("moderators delete anyone's message and clear the chat; viewers see both; both are logged", async () => {
    const watcher = await WsClient.connect(url());
    try {
      await watcher.subscribe(channel);
      const posted = await postMessage(url(), viewer, channel, "delete me");
      expect(posted.status).toBe(201);
      const id = posted.body.message.id;
      // A viewer cannot delete someone else's message.
      const other = await register(url(), "other");
      expect(
        (await api(url(), "DELETE", `/api/channels/${channel}/messages/${id}`, { token: other.token })).status,
      ).toBe(403);
      expect((await api(url(), "DELETE", `/api/channels/${channel}/messages/${id}`, { token: mod.token })).status).toBe(
        204,
      );
      await watcher.waitForEvent("message_deleted", (e) => e.data.id === id && e.data.by === mod.user.username);
      expect((await history(url(), channel)).map((m: Message) => m.id)).not.toContain(id);
      expect((await modlog(mod, "?action=delete_message"))[0]).toMatchObject({
        target: viewer.user.username,
        details: { messageId: id },
      });
      // Deleting one's own message is not a moderation action.
      const own = await postMessage(url(), mod, channel, "mine");
      expect(
        (await api(url(), "DELETE", `/api/channels/${channel}/messages/${own.body.message.id}`, { token: mod.token }))
          .status,
      ).toBe(204);
      expect((await modlog(mod, "?action=delete_message")).map((e) => e.details["messageId"])).not.toContain(
        own.body.message.id,
      );

      expect((await postMessage(url(), viewer, channel, "before the clear")).status).toBe(201);
      expect((await api(url(), "POST", `/api/channels/${channel}/clear`, { token: viewer.token })).status).toBe(403);
      expect((await api(url(), "POST", `/api/channels/${channel}/clear`, { token: mod.token })).status).toBe(204);
      await watcher.waitForEvent("chat_cleared", (e) => e.data.by === mod.user.username);
      expect(await history(url(), channel)).toEqual([]);
      expect((await modlog(owner, "?action=clear_chat"))[0]).toMatchObject({ actor: mod.user.username, target: null });
    } finally {
      watcher.close();
    }
  });

  it("the /api/chat/moderation shortcut times out, bans and unbans on main", async () => {
    const target = await register(url(), "shortcut");
    const act = (body: object) =>
      api<{ ban?: Ban }>(url(), "POST", "/api/chat/moderation", { token: admin.token, body });
    expect((await act({ action: "timeout", username: target.user.username })).status).toBe(400);
    const timeout = await act({ action: "timeout", username: target.user.username, durationSec: 60 });
    expect(timeout.status, timeout.text).toBe(201);
    expect(timeout.body.ban).toMatchObject({ kind: "timeout" });
    expect((await postMessage(url(), target, "main", "x")).body).toMatchObject({ error: { code: "timed_out" } });
    expect((await act({ action: "ban", username: target.user.username, reason: "r" })).status).toBe(201);
    expect((await postMessage(url(), target, "main", "x")).body).toMatchObject({ error: { code: "banned" } });
    expect((await act({ action: "unban", username: target.user.username })).status).toBe(204);
    expect((await postMessage(url(), target, "main", "x")).status).toBe(201);
    expect((await act({ action: "ban" })).status).toBe(400);
    const viewerTry = await api(url(), "POST", "/api/chat/moderation", {
      token: viewer.token,
      body: { action: "ban", username: target.user.username },
    });
    expect(viewerTry.status).toBe(403);
  });

  it("flags a user's first message in a channel, and only that one, across a restart", async () => {
    const newcomer = await register(url(), "newcomer");
    const first = await postMessage(url(), newcomer, channel, "hi all, first time here");
    expect(first.body.message.firstMessage).toBe(true);
    const second = await postMessage(url(), newcomer, channel, "again");
    expect(second.body.message.firstMessage).toBeUndefined();
    expect((await postMessage(url(), newcomer, "main", "new channel for me")).body.message.firstMessage).toBe(true);
    await server.restart();
    expect((await postMessage(url(), newcomer, channel, "back")).body.message.firstMessage).toBeUndefined();
  });

  it("bans and the modlog survive a restart", async () => {
    const target = await register(url(), "persist");
    expect((await ban(mod, { username: target.user.username, reason: "kept" })).status).toBe(201);
    await server.restart();
    expect((await postMessage(url(), target, channel, "after restart")).body).toMatchObject({
      error: { code: "banned" },
    });
    expect((await modlog(owner, `?target=${target.user.username}`))[0]).toMatchObject({
      action: "ban",
      reason: "kept",
    });
  });
});
