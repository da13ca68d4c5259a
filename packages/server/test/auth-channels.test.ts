/**
 * Accounts, sessions and channels over real HTTP and WebSocket: registration and login,
 * cookies and the Origin check, logout revocation reaching live sockets, channel ownership,
 * live broadcasts, presence lists, the single-channel shortcuts and the operations endpoints.
 */
import type { Broadcast, Channel, Message, User } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import type { TestServer } from "./harness.js";
import {
  api,
  createChannel,
  eventually,
  guest,
  history,
  postMessage,
  register,
  type Session,
  SseClient,
  UpgradeRejected,
  uniqueName,
  WsClient,
} from "./helpers.js";
import { useSharedServer } from "./shared-server.js";

let server: TestServer;
let admin: Session;
const track = useSharedServer((s, a) => {
  server = s;
  admin = a;
});

const PASSWORD = "a fine password";
type AuthBody = { user: User; token: string };
type Users = { viewers: number; chatters: Array<{ username: string; displayName: string; role: string }> };

describe("accounts", () => {
  it("registers with 201, a token and an httpOnly SameSite=Lax session cookie", async () => {
    const display = `New_${uniqueName("u").slice(0, 18)}`;
    const res = await api<AuthBody>(server.url, "POST", "/api/auth/register", {
      body: { username: display, password: PASSWORD },
    });
    expect(res.status).toBe(201);
    expect(typeof res.body.token).toBe("string");
    expect(res.body.token.length).toBeGreaterThan(20);
    const user = res.body.user;
    expect(user).toMatchObject({
      username: display.toLowerCase(),
      displayName: display,
      isAdmin: false,
      isGuest: false,
    });
    expect(Object.keys(user).sort()).toEqual([
      "color",
      "createdAt",
      "displayName",
      "id",
      "isAdmin",
      "isGuest",
      "username",
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/password|hash/i);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^chorus_session=[^;]+/);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
  });

  it("answers a taken username with 409, whatever its case", async () => {
    const name = uniqueName("dup");
    expect(
      (await api(server.url, "POST", "/api/auth/register", { body: { username: name, password: PASSWORD } })).status,
    ).toBe(201);
    for (const username of [name, name.toUpperCase()]) {
      const res = await api(server.url, "POST", "/api/auth/register", { body: { username, password: PASSWORD } });
      expect(res.status).toBe(409);
      expect(res.body.error?.code).toBe("conflict");
    }
    const asGuest = await api(server.url, "POST", "/api/auth/guest", { body: { username: name } });
    expect(asGuest.status).toBe(409);
    expect(asGuest.body.error?.code).toBe("conflict");
  });

  it("rejects bad usernames and passwords with 400", async () => {
    const cases: Array<{ username: unknown; password: unknown }> = [
      { username: "ab", password: PASSWORD },
      { username: "x".repeat(26), password: PASSWORD },
      { username: "has space", password: PASSWORD },
      { username: "dash-name", password: PASSWORD },
      { username: "ünïcode", password: PASSWORD },
      { username: uniqueName("short"), password: "1234567" },
      { username: uniqueName("long"), password: "p".repeat(129) },
    ];
    for (const body of cases) {
      const res = await api(server.url, "POST", "/api/auth/register", { body });
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.body.error?.code).toBe("invalid_request");
    }
  });

  it("logs in with 200, and answers a wrong password and an unknown user with the same 401", async () => {
    const me = await register(server.url, "login", PASSWORD);
    const ok = await api<AuthBody>(server.url, "POST", "/api/auth/login", {
      body: { username: me.user.username.toUpperCase(), password: PASSWORD },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(me.user.id);
    expect(ok.headers.get("set-cookie")).toMatch(/^chorus_session=/);
    const wrong = await api(server.url, "POST", "/api/auth/login", {
      body: { username: me.user.username, password: "not the password" },
    });
    const unknown = await api(server.url, "POST", "/api/auth/login", {
      body: { username: uniqueName("nobody"), password: "not the password" },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error?.code).toBe("unauthorized");
    expect(wrong.text).toBe(unknown.text);
    expect(wrong.headers.get("set-cookie")).toBeNull();
  });

  it("creates guests with 201 and isGuest", async () => {
    const username = uniqueName("Guesty");
    const res = await api<AuthBody>(server.url, "POST", "/api/auth/guest", { body: { username } });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ username: username.toLowerCase(), isGuest: true, isAdmin: false });
    const me = await api<{ user: User }>(server.url, "GET", "/api/me", { token: res.body.token });
    expect(me.body.user.isGuest).toBe(true);
    const bad = await api(server.url, "POST", "/api/auth/guest", { body: { username: "x" } });
    expect(bad.status).toBe(400);
  });

  it("answers GET /api/me with a bearer token and with the cookie, 401 without", async () => {
    const me = await register(server.url, "meuser");
    const bearer = await api<{ user: User }>(server.url, "GET", "/api/me", { token: me.token });
    expect(bearer.status).toBe(200);
    expect(bearer.body.user).toEqual(me.user);
    const byCookie = await api<{ user: User }>(server.url, "GET", "/api/me", { headers: { cookie: me.cookie } });
    expect(byCookie.status).toBe(200);
    expect(byCookie.body.user).toEqual(me.user);
    const none = await api(server.url, "GET", "/api/me");
    expect(none.status).toBe(401);
    expect(none.body.error?.code).toBe("unauthorized");
    const garbage = await api(server.url, "GET", "/api/me", { token: "garbage" });
    expect(garbage.status).toBe(401);
  });

  it("revokes only the logged-out session, and closes its WebSocket with reconnect + 4003", async () => {
    const first = await register(server.url, "logout", PASSWORD);
    const secondRes = await api<AuthBody>(server.url, "POST", "/api/auth/login", {
      body: { username: first.user.username, password: PASSWORD },
    });
    const second = { token: secondRes.body.token };
    const revokedSocket = track(await WsClient.authed(server.url, first.token));
    await revokedSocket.subscribe("main");
    const headerSocket = track(
      await WsClient.connect(server.url, { headers: { authorization: `Bearer ${first.token}` } }),
    );
    const survivor = track(await WsClient.authed(server.url, second.token));
    await survivor.subscribe("main");

    const out = await api(server.url, "POST", "/api/auth/logout", { token: first.token });
    expect(out.status).toBe(204);
    expect(out.text).toBe("");

    const after = await api(server.url, "GET", "/api/me", { token: first.token });
    expect(after.status).toBe(401);
    expect(after.body.error?.code).toBe("unauthorized");
    expect(
      (await postMessage(server.url, { user: first.user, token: first.token, cookie: "" }, "main", "ghost")).status,
    ).toBe(401);
    const still = await api<{ user: User }>(server.url, "GET", "/api/me", { token: second.token });
    expect(still.status).toBe(200);
    expect(still.body.user.id).toBe(first.user.id);

    for (const ws of [revokedSocket, headerSocket]) {
      const closed = await ws.closed;
      expect(closed.code).toBe(4003);
      const reconnect = ws.frames.find((f) => f.op === "reconnect");
      expect(reconnect).toMatchObject({ op: "reconnect", reason: "revoked" });
      expect(ws.frames.at(-1)?.op).toBe("reconnect");
    }
    await survivor.ping();
    expect(survivor.isOpen).toBe(true);
    // The revoked token can no longer open a socket.
    await expect(
      WsClient.connect(server.url, { headers: { authorization: `Bearer ${first.token}` } }),
    ).rejects.toMatchObject({ status: 401 });
    const ws = track(await WsClient.connect(server.url));
    const mark = ws.mark();
    ws.send({ op: "auth", token: first.token });
    expect((await ws.waitForOp("error", () => true, mark)).code).toBe("unauthorized");
  });

  it("logs out a cookie session and clears the cookie", async () => {
    const me = await register(server.url, "cookieout");
    const sameOrigin = server.url;
    const out = await api(server.url, "POST", "/api/auth/logout", {
      headers: { cookie: me.cookie, origin: sameOrigin },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^chorus_session=;/);
    const after = await api(server.url, "GET", "/api/me", { headers: { cookie: me.cookie } });
    expect(after.status).toBe(401);
  });
});

describe("origin checks", () => {
  it("rejects cookie-authenticated writes from a foreign Origin and accepts same-origin ones", async () => {
    const me = await register(server.url, "csrf");
    const channel = await createChannel(server.url, admin, "csrf");
    const path = `/api/channels/${channel}/messages`;
    const foreign = await api(server.url, "POST", path, {
      headers: { cookie: me.cookie, origin: "https://evil.example" },
      body: { text: "forged" },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error?.code).toBe("forbidden");
    const nullOrigin = await api(server.url, "POST", path, {
      headers: { cookie: me.cookie, origin: "null" },
      body: { text: "forged" },
    });
    expect(nullOrigin.status).toBe(403);
    const crossSite = await api(server.url, "POST", path, {
      headers: { cookie: me.cookie, "sec-fetch-site": "cross-site" },
      body: { text: "forged" },
    });
    expect(crossSite.status).toBe(403);
    expect(await history(server.url, channel)).toEqual([]);

    const same = await api<{ message: Message }>(server.url, "POST", path, {
      headers: { cookie: me.cookie, origin: server.url },
      body: { text: "legit" },
    });
    expect(same.status).toBe(201);
    expect(same.body.message.author.id).toBe(me.user.id);
    // A bearer token cannot be forged cross-site, so no Origin check applies to it.
    const bearer = await api(server.url, "POST", path, {
      token: me.token,
      headers: { origin: "https://other.example" },
      body: { text: "api client" },
    });
    expect(bearer.status).toBe(201);
    // Reads with a cookie are fine from anywhere.
    const read = await api(server.url, "GET", "/api/me", {
      headers: { cookie: me.cookie, origin: "https://evil.example" },
    });
    expect(read.status).toBe(200);
    expect((await history(server.url, channel)).map((m) => m.text)).toEqual(["legit", "api client"]);
  });

  it("rejects a cookie WebSocket upgrade from a foreign Origin with 403, accepts same-origin", async () => {
    const me = await register(server.url, "cswsh");
    await expect(
      WsClient.connect(server.url, { headers: { cookie: me.cookie, origin: "https://evil.example" } }),
    ).rejects.toBeInstanceOf(UpgradeRejected);
    await expect(
      WsClient.connect(server.url, { headers: { cookie: me.cookie, origin: "https://evil.example" } }),
    ).rejects.toMatchObject({ status: 403 });

    const ws = track(await WsClient.connect(server.url, { headers: { cookie: me.cookie, origin: server.url } }));
    const reply = await ws.sendMessage("main", "cookie socket");
    expect(reply.op).toBe("ack");
    expect(reply.op === "ack" ? reply.message.author.id : null).toBe(me.user.id);
  });
});

describe("origin and authorization, as an attacker would try them", () => {
  it("does not take X-Forwarded-Host from a client when no proxy is trusted", async () => {
    const me = await register(server.url, "fwdhost");
    const channel = await createChannel(server.url, admin, "fwdhost");
    const forged = await api(server.url, "POST", `/api/channels/${channel}/messages`, {
      headers: { cookie: me.cookie, origin: "https://evil.example", "x-forwarded-host": "evil.example" },
      body: { text: "forged through a forwarded host" },
    });
    expect(forged.status).toBe(403);
    await expect(
      WsClient.connect(server.url, {
        headers: { cookie: me.cookie, origin: "http://evil.example", "x-forwarded-host": "evil.example" },
      }),
    ).rejects.toMatchObject({ status: 403 });
    expect(await history(server.url, channel)).toEqual([]);
  });

  it("tells http:// and https:// apart: the same host under another scheme is another origin", async () => {
    const me = await register(server.url, "scheme");
    const channel = await createChannel(server.url, admin, "scheme");
    const otherScheme = server.url.replace(/^http:/, "https:");
    const res = await api(server.url, "POST", `/api/channels/${channel}/messages`, {
      headers: { cookie: me.cookie, origin: otherScheme },
      body: { text: "from the other scheme" },
    });
    expect(res.status).toBe(403);
    await expect(
      WsClient.connect(server.url, { headers: { cookie: me.cookie, origin: otherScheme } }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it("refuses a WebSocket upgrade with a malformed Authorization (401, as REST does), not as anonymous", async () => {
    for (const authorization of ["Basic eDp5", "Bearer", "Bearer ", "Token abc"]) {
      await expect(WsClient.connect(server.url, { headers: { authorization } }), authorization).rejects.toMatchObject({
        status: 401,
      });
      const rest = await api(server.url, "GET", "/api/me", { headers: { authorization } });
      expect(rest.status, authorization).toBe(401);
    }
  });

  it("reads the Bearer scheme in any case (RFC 9110), on REST and at the upgrade", async () => {
    const me = await register(server.url, "lcbearer");
    const rest = await api<{ user: { id: string } }>(server.url, "GET", "/api/me", {
      headers: { authorization: `bearer ${me.token}` },
    });
    expect(rest.status).toBe(200);
    const ws = track(await WsClient.connect(server.url, { headers: { authorization: `BEARER ${me.token}` } }));
    const reply = await ws.sendMessage("main", "shouted bearer");
    expect(reply.op).toBe("ack");
    expect(reply.op === "ack" ? reply.message.author.id : null).toBe(me.user.id);
  });
});

describe("channels", () => {
  it("marks every API answer nosniff, errors and 404s included", async () => {
    for (const [method, path] of [
      ["GET", "/api/channels"],
      ["GET", "/api/channels/nope_nope_nope"],
      ["POST", "/api/auth/login"],
      ["GET", "/healthz"],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: method === "POST" ? "{}" : null,
      });
      expect(res.headers.get("x-content-type-options"), `${method} ${path}`).toBe("nosniff");
    }
  });

  it("forbids guests to create channels (403)", async () => {
    const g = await guest(server.url, "gchan");
    const res = await api(server.url, "POST", "/api/channels", { token: g.token, body: { name: uniqueName("gc") } });
    expect(res.status).toBe(403);
    expect(res.body.error?.code).toBe("forbidden");
    const anon = await api(server.url, "POST", "/api/channels", { body: { name: uniqueName("ac") } });
    expect(anon.status).toBe(401);
  });

  it("lets a registered user create a channel and own it; names are unique and validated", async () => {
    const owner = await register(server.url, "owner");
    const display = `My_${uniqueName("chan").slice(0, 20)}`;
    const res = await api<{ channel: Channel }>(server.url, "POST", "/api/channels", {
      token: owner.token,
      body: { name: display, title: "My stream" },
    });
    expect(res.status).toBe(201);
    const name = display.toLowerCase();
    expect(res.body.channel).toMatchObject({
      name,
      title: "My stream",
      ownerId: owner.user.id,
      live: false,
      viewers: 0,
    });
    expect(res.body.channel.settings).toMatchObject({
      slowModeSec: 0,
      followersOnlyMin: null,
      subscribersOnly: false,
      emoteOnly: false,
      guestsAllowed: true,
      autoModLevel: 0,
    });
    const got = await api<{ channel: Channel }>(server.url, "GET", `/api/channels/${name.toUpperCase()}`);
    expect(got.status).toBe(200);
    expect(got.body.channel.ownerId).toBe(owner.user.id);
    const list = await api<{ channels: Channel[] }>(server.url, "GET", "/api/channels");
    expect(list.body.channels.map((c) => c.name)).toEqual(expect.arrayContaining(["main", name]));

    for (const taken of [name, name.toUpperCase(), "main"]) {
      const dup = await api(server.url, "POST", "/api/channels", { token: owner.token, body: { name: taken } });
      expect(dup.status, taken).toBe(409);
      expect(dup.body.error?.code).toBe("conflict");
    }
    for (const bad of ["ab", "x".repeat(26), "bad-name", "bad name", "ünï_code", "", "a/b"]) {
      const res2 = await api(server.url, "POST", "/api/channels", { token: owner.token, body: { name: bad } });
      expect(res2.status, bad).toBe(400);
      expect(res2.body.error?.code).toBe("invalid_request");
    }
    const missing = await api(server.url, "GET", "/api/channels/no_such_chan_c");
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe("not_found");
  });

  it("rejects a non-string channel name with 400", async () => {
    const owner = await register(server.url, "numname");
    const res = await api(server.url, "POST", "/api/channels", { token: owner.token, body: { name: 12345678 } });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe("invalid_request");
    expect((await api(server.url, "GET", "/api/channels/12345678")).status).toBe(404);
  });

  it("emits channel_updated on PATCH by the owner and forbids others (403)", async () => {
    const owner = await register(server.url, "patcher");
    const channel = await createChannel(server.url, owner, "patch");
    const ws = track(await WsClient.connect(server.url));
    await ws.subscribe(channel);
    const res = await api<{ channel: Channel }>(server.url, "PATCH", `/api/channels/${channel}`, {
      token: owner.token,
      body: { title: "New title", settings: { slowModeSec: 5 } },
    });
    expect(res.status).toBe(200);
    expect(res.body.channel).toMatchObject({ name: channel, title: "New title", settings: { slowModeSec: 5 } });
    const event = await ws.waitForEvent("channel_updated");
    expect(event.seq).toBe(1);
    expect(event.data.channel).toMatchObject({ name: channel, title: "New title", settings: { slowModeSec: 5 } });

    const mark = ws.mark();
    for (const other of [await register(server.url, "notowner"), await guest(server.url, "notowner")]) {
      const denied = await api(server.url, "PATCH", `/api/channels/${channel}`, {
        token: other.token,
        body: { title: "Hijacked" },
      });
      expect(denied.status).toBe(403);
      expect(denied.body.error?.code).toBe("forbidden");
      const modes = await api(server.url, "PATCH", `/api/channels/${channel}`, {
        token: other.token,
        body: { settings: { slowModeSec: 0 } },
      });
      expect(modes.status).toBe(403);
    }
    const anon = await api(server.url, "PATCH", `/api/channels/${channel}`, { body: { title: "Hijacked" } });
    expect(anon.status).toBe(401);
    const current = await api<{ channel: Channel }>(server.url, "GET", `/api/channels/${channel}`);
    expect(current.body.channel.title).toBe("New title");
    expect(current.body.channel.settings.slowModeSec).toBe(5);
    await ws.ping();
    expect(ws.loggedEvents(channel, mark)).toEqual([]);
  });

  it("runs a broadcast: stream_started, live channel, broadcastId on messages, stream_ended, archive and transcript", async () => {
    const owner = await register(server.url, "streamer");
    const channel = await createChannel(server.url, owner, "live");
    const chatter = await guest(server.url, "viewer");
    const ws = track(await WsClient.connect(server.url));
    await ws.subscribe(channel);
    const [before] = (await Promise.all([postMessage(server.url, chatter, channel, "before the stream")])).map(
      (r) => r.body.message,
    );

    const notOwner = await api(server.url, "POST", `/api/channels/${channel}/live`, {
      token: chatter.token,
      body: { title: "nope" },
    });
    expect(notOwner.status).toBe(403);

    const videoUrl = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
    const start = await api<{ broadcast: Broadcast; channel: Channel }>(
      server.url,
      "POST",
      `/api/channels/${channel}/live`,
      {
        token: owner.token,
        body: { title: "Speedrun night", videoUrl },
      },
    );
    expect(start.status).toBe(201);
    const broadcast = start.body.broadcast;
    expect(broadcast).toMatchObject({ title: "Speedrun night", endedAt: null, messageCount: 0 });
    const started = await ws.waitForEvent("stream_started");
    expect(started.data.broadcast.id).toBe(broadcast.id);
    expect(started.data.broadcast.title).toBe("Speedrun night");

    const live = await api<{ channel: Channel }>(server.url, "GET", `/api/channels/${channel}`);
    expect(live.body.channel).toMatchObject({
      live: true,
      videoUrl,
      broadcast: { id: broadcast.id, title: "Speedrun night" },
    });
    const listed = await api<{ channels: Channel[] }>(server.url, "GET", "/api/channels");
    expect(listed.body.channels[0]?.live).toBe(true);

    const during: Message[] = [];
    for (const text of ["first!", "hype", "gg"]) {
      const res = await postMessage(server.url, chatter, channel, text);
      expect(res.body.message.broadcastId).toBe(broadcast.id);
      during.push(res.body.message);
    }
    const event = await ws.waitForEvent("message", (e) => e.data.id === during[2]?.id);
    expect(event.data.broadcastId).toBe(broadcast.id);

    const end = await api<{ broadcast: Broadcast; channel: Channel }>(
      server.url,
      "DELETE",
      `/api/channels/${channel}/live`,
      { token: owner.token },
    );
    expect(end.status).toBe(200);
    expect(end.body.broadcast.endedAt).toEqual(expect.any(Number));
    expect(end.body.broadcast.messageCount).toBe(3);
    expect(end.body.channel.live).toBe(false);
    const ended = await ws.waitForEvent("stream_ended");
    expect(ended.data.broadcast).toMatchObject({ id: broadcast.id, messageCount: 3 });
    expect(ended.data.broadcast.endedAt).toEqual(expect.any(Number));

    const after = await postMessage(server.url, chatter, channel, "after the stream");
    expect(after.body.message.broadcastId).toBeUndefined();
    expect(before?.broadcastId).toBeUndefined();

    const broadcasts = await api<{ broadcasts: Broadcast[] }>(server.url, "GET", `/api/channels/${channel}/broadcasts`);
    expect(broadcasts.status).toBe(200);
    expect(broadcasts.body.broadcasts).toHaveLength(1);
    expect(broadcasts.body.broadcasts[0]).toMatchObject({ id: broadcast.id, title: "Speedrun night", messageCount: 3 });
    expect(broadcasts.body.broadcasts[0]?.endedAt).toBeGreaterThanOrEqual(broadcast.startedAt);

    const transcript = await api<{ messages: Message[] }>(
      server.url,
      "GET",
      `/api/channels/${channel}/broadcasts/${broadcast.id}/messages`,
    );
    expect(transcript.status).toBe(200);
    expect(transcript.body.messages.map((m) => m.id)).toEqual(during.map((m) => m.id));
    const paged = await api<{ messages: Message[] }>(
      server.url,
      "GET",
      `/api/channels/${channel}/broadcasts/${broadcast.id}/messages?limit=2`,
    );
    expect(paged.body.messages.map((m) => m.text)).toEqual(["hype", "gg"]);
    const unknown = await api(
      server.url,
      "GET",
      `/api/channels/${channel}/broadcasts/00000000-0000-0000-0000-000000000000/messages`,
    );
    expect(unknown.status).toBe(404);
    const notLive = await api(server.url, "DELETE", `/api/channels/${channel}/live`, { token: owner.token });
    expect(notLive.status).toBe(409);
  });

  it("lists the viewers and chatters of connected WebSocket clients", async () => {
    const channel = await createChannel(server.url, admin, "users");
    const alice = await register(server.url, "Alice");
    const anon = track(await WsClient.connect(server.url));
    await anon.subscribe(channel);
    const ws = track(await WsClient.authed(server.url, alice.token));
    await ws.subscribe(channel);
    const seen = await eventually(async () => {
      const res = await api<Users>(server.url, "GET", `/api/channels/${channel}/users`);
      return res.body.viewers === 2 && res.body.chatters.length === 1 ? res.body : undefined;
    }, "two viewers, one chatter");
    expect(seen.chatters[0]).toEqual({
      username: alice.user.username,
      displayName: alice.user.displayName,
      role: "viewer",
    });
    const channelView = await api<{ channel: Channel }>(server.url, "GET", `/api/channels/${channel}`);
    expect(channelView.body.channel.viewers).toBe(2);

    ws.close();
    await eventually(async () => {
      const res = await api<Users>(server.url, "GET", `/api/channels/${channel}/users`);
      return res.body.viewers === 1 && res.body.chatters.length === 0 ? true : undefined;
    }, "alice gone");
    const missing = await api(server.url, "GET", "/api/channels/no_such_chan_u/users");
    expect(missing.status).toBe(404);
  });
});

describe("single-channel shortcuts", () => {
  it("join, comment, messages, livestream, sse, users and moderation act on main", async () => {
    const join = await api<AuthBody>(server.url, "POST", "/api/chat/join", {
      body: { username: uniqueName("joiner") },
    });
    expect(join.status).toBe(201);
    expect(join.body.user.isGuest).toBe(true);
    const me: Session = { user: join.body.user, token: join.body.token, cookie: "" };

    const ws = track(await WsClient.authed(server.url, me.token));
    await ws.subscribe("main");
    const sse = track(await SseClient.open(server.url, "/api/sse/stream"));
    expect(sse.response.headers.get("content-type")).toContain("text/event-stream");
    const first = await sse.waitFor(() => true);
    expect(first.event).toBe("subscribed");

    const comment = await api<{ message: Message }>(server.url, "POST", "/api/chat/comment", {
      token: me.token,
      body: { message: "via comment" },
    });
    expect(comment.status).toBe(201);
    expect(comment.body.message).toMatchObject({ channel: "main", text: "via comment", author: { id: me.user.id } });
    const viaMessages = await api<{ message: Message }>(server.url, "POST", "/api/messages", {
      token: me.token,
      body: { text: "via messages", nonce: "shortcut-1" },
    });
    expect(viaMessages.status).toBe(201);
    const again = await api<{ message: Message }>(server.url, "POST", "/api/messages", {
      token: me.token,
      body: { text: "via messages", nonce: "shortcut-1" },
    });
    expect(again.status).toBe(200);
    expect(again.body.message.id).toBe(viaMessages.body.message.id);
    expect((await api(server.url, "POST", "/api/chat/comment", { body: { message: "anon" } })).status).toBe(401);
    const blank = await api(server.url, "POST", "/api/chat/comment", { token: me.token, body: { message: "  " } });
    expect(blank.status).toBe(400);
    expect(blank.body.error?.code).toBe("invalid_request");

    await ws.waitForEvent("message", (e) => e.data.id === viaMessages.body.message.id);
    await sse.waitForSeq(viaMessages.body.message.seq);
    expect(sse.logged().map((e) => e.id)).toEqual([comment.body.message.seq, viaMessages.body.message.seq]);

    const shortHistory = await api<{ messages: Message[] }>(server.url, "GET", "/api/messages?limit=2");
    expect(shortHistory.status).toBe(200);
    expect(shortHistory.body.messages).toEqual(await history(server.url, "main", "?limit=2"));
    expect(shortHistory.body.messages.map((m) => m.id)).toEqual([comment.body.message.id, viaMessages.body.message.id]);
    expect((await api(server.url, "GET", "/api/messages?limit=500")).status).toBe(400);

    const livestream = await api<{ channel: Channel }>(server.url, "GET", "/api/livestream");
    const mainChannel = await api<{ channel: Channel }>(server.url, "GET", "/api/channels/main");
    expect(livestream.status).toBe(200);
    expect(livestream.body.channel.name).toBe("main");
    expect(livestream.body.channel).toEqual(mainChannel.body.channel);

    const users = await eventually(async () => {
      const res = await api<Users>(server.url, "GET", "/api/chat/users");
      return res.body.chatters.some((c) => c.username === me.user.username) ? res : undefined;
    }, "joiner in /api/chat/users");
    expect(users.status).toBe(200);
    expect(users.body).toEqual((await api<Users>(server.url, "GET", "/api/channels/main/users")).body);

    const stranger = await guest(server.url, "stranger");
    const denied = await api(server.url, "POST", "/api/chat/moderation", {
      token: stranger.token,
      body: { action: "delete", messageId: comment.body.message.id },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error?.code).toBe("forbidden");
    const removed = await api(server.url, "POST", "/api/chat/moderation", {
      token: me.token,
      body: { action: "delete", messageId: comment.body.message.id },
    });
    expect(removed.status).toBe(204);
    const deleted = await ws.waitForEvent("message_deleted", (e) => e.data.id === comment.body.message.id);
    expect(deleted.data.by).toBe(me.user.username);
    expect((await history(server.url, "main", "?limit=200")).map((m) => m.id)).not.toContain(comment.body.message.id);
    const noId = await api(server.url, "POST", "/api/chat/moderation", { token: me.token, body: { action: "delete" } });
    expect(noId.status).toBe(400);
  });

  it("starts and updates main's broadcast via POST /api/livestream (admin only)", async () => {
    const g = await guest(server.url, "notadmin");
    expect((await api(server.url, "POST", "/api/livestream", { token: g.token, body: { title: "x" } })).status).toBe(
      403,
    );
    const started = await api<{ broadcast: Broadcast; channel: Channel }>(server.url, "POST", "/api/livestream", {
      token: admin.token,
      body: { title: "Main show" },
    });
    expect(started.status).toBe(201);
    expect(started.body.channel).toMatchObject({ name: "main", live: true, title: "Main show" });
    const updated = await api<{ broadcast: Broadcast; channel: Channel }>(server.url, "POST", "/api/livestream", {
      token: admin.token,
      body: { title: "Main show, part 2" },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.broadcast.id).toBe(started.body.broadcast.id);
    expect(updated.body.broadcast.title).toBe("Main show, part 2");
    const ended = await api(server.url, "DELETE", "/api/channels/main/live", { token: admin.token });
    expect(ended.status).toBe(200);
    expect((await api<{ channel: Channel }>(server.url, "GET", "/api/livestream")).body.channel.live).toBe(false);
  });
});

describe("operations", () => {
  it("answers /healthz, /readyz, /metrics and /openapi.json", async () => {
    const health = await api<{ ok: boolean }>(server.url, "GET", "/healthz");
    expect(health.status).toBe(200);
    const ready = await api<{ ready: boolean }>(server.url, "GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body.ready).toBe(true);

    await postMessage(server.url, admin, "main", "count me");
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    const text = await metrics.text();
    expect(text).toContain("# TYPE chorus_messages_accepted_total counter");
    const accepted = /^chorus_messages_accepted_total (\d+)/m.exec(text);
    expect(Number(accepted?.[1])).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^nodejs_eventloop_lag/m);

    const openapi = await api<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      server.url,
      "GET",
      "/openapi.json",
    );
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toMatch(/^3\./);
    const messagesPath = openapi.body.paths["/api/channels/{name}/messages"];
    expect(messagesPath).toBeDefined();
    expect(Object.keys(messagesPath ?? {})).toEqual(expect.arrayContaining(["get", "post"]));
    expect(openapi.body.paths["/api/channels/{name}/events"]).toBeDefined();

    const unknownRoute = await api(server.url, "GET", "/api/nope");
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body.error?.code).toBe("not_found");
  });
});
