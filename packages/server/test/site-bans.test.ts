/**
 * Site-wide bans by account and by address range (admins): they refuse new requests and close
 * open connections at once. Clients claim addresses through a trusted proxy (TRUST_PROXY =
 * 127.0.0.1, X-Forwarded-For).
 */
import type { SiteBan } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestServer, TEST_ADMIN, type TestServer } from "./harness.js";
import { api, register, type Session, SseClient, uniqueName, wsUrl } from "./helpers.js";

let server: TestServer;
let admin: Session;
const ADMIN_IP = "192.0.2.1";
const from = (ip: string) => ({ "x-forwarded-for": ip });

beforeAll(async () => {
  server = await startTestServer({ trustProxy: "127.0.0.1" });
  const res = await api<{ token: string; user: Session["user"] }>(server.url, "POST", "/api/auth/login", {
    body: TEST_ADMIN,
    headers: from(ADMIN_IP),
  });
  admin = { token: res.body.token, user: res.body.user, cookie: "" };
});
afterAll(async () => {
  await server?.dispose();
});

function ban(body: Record<string, unknown>, token = admin.token) {
  return api<{ ban: SiteBan }>(server.url, "POST", "/api/admin/bans", { token, body, headers: from(ADMIN_IP) });
}

/** A WebSocket that records its frames and its close. */
function openWs(ip: string, token?: string): Promise<{ ws: WebSocket; frames: string[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = from(ip);
    if (token) headers["authorization"] = `Bearer ${token}`;
    const ws = new WebSocket(wsUrl(server.url), { headers });
    const frames: string[] = [];
    const closed = new Promise<number>((r) => ws.once("close", (code) => r(code)));
    ws.on("message", (data) => frames.push(data.toString()));
    ws.once("open", () => resolve({ ws, frames, closed }));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

function upgradeStatus(ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(server.url), { headers: from(ip) });
    ws.once("open", () => {
      ws.close();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once("error", reject);
  });
}

describe("site-wide bans", () => {
  it("an account ban closes its connections, refuses its token and its login, and lifts", async () => {
    const password = "a sturdy passphrase 5";
    const user = await register(server.url, "banme", password);
    const conn = await openWs("198.51.100.40", user.token);
    const set = await ban({ username: user.user.username, reason: "spam waves" });
    expect(set.status).toBe(201);
    expect(set.body.ban).toMatchObject({ kind: "account", username: user.user.username, cidr: null, until: null });
    expect(set.body.ban.by).toBe(TEST_ADMIN.username);

    // Closed at once, told why (close 4003: do not come back with this token).
    expect(await conn.closed).toBe(4003);
    expect(conn.frames.join()).toContain('"reason":"banned"');
    const me = await api(server.url, "GET", "/api/me", { token: user.token });
    expect(me.status).toBe(403);
    expect(me.body.error?.code).toBe("banned");
    expect(me.body.error).toMatchObject({ until: null });
    const login = await api(server.url, "POST", "/api/auth/login", {
      body: { username: user.user.username, password },
    });
    expect(login.status).toBe(403);
    expect(login.body.error?.code).toBe("banned");
    // A wrong password learns nothing about the ban.
    const guess = await api(server.url, "POST", "/api/auth/login", {
      body: { username: user.user.username, password: "not it at all" },
    });
    expect(guess.status).toBe(401);

    // Signing out still works (the cookie goes), and ends the session for good.
    const other = await api<{ token: string }>(server.url, "POST", "/api/auth/login", {
      body: { username: user.user.username, password },
    });
    expect(other.status).toBe(403);
    const out = await api(server.url, "POST", "/api/auth/logout", { token: user.token });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie") ?? "").toMatch(/chorus_session=;/);

    const listed = await api<{ bans: SiteBan[] }>(server.url, "GET", "/api/admin/bans", { token: admin.token });
    expect(listed.body.bans.map((b) => b.id)).toContain(set.body.ban.id);
    expect((await api(server.url, "DELETE", `/api/admin/bans/${set.body.ban.id}`, { token: admin.token })).status).toBe(
      204,
    );
    // Lifted: the account logs in again (the signed-out session stays ended).
    expect((await api(server.url, "GET", "/api/me", { token: user.token })).status).toBe(401);
    const back = await api<{ token: string }>(server.url, "POST", "/api/auth/login", {
      body: { username: user.user.username, password },
    });
    expect(back.status).toBe(200);
    expect((await api(server.url, "GET", "/api/me", { token: back.body.token })).status).toBe(200);
    expect((await api(server.url, "DELETE", `/api/admin/bans/${set.body.ban.id}`, { token: admin.token })).status).toBe(
      404,
    );
  });

  it("an address-range ban refuses requests, upgrades and streams from inside it and closes open ones", async () => {
    const inside = "203.0.113.77";
    const viewer = await openWs(inside);
    const sse = await SseClient.open(server.url, "/api/channels/main/events", from("203.0.113.78"));
    expect(sse.response.status).toBe(200);
    const set = await ban({ cidr: "203.0.113.5/24", durationSec: 3600 });
    expect(set.status).toBe(201);
    expect(set.body.ban).toMatchObject({ kind: "address", cidr: "203.0.113.0/24", username: null });
    expect(set.body.ban.until).toBeGreaterThan(Date.now());

    expect(await viewer.closed).toBe(4003);
    const bye = await sse.waitFor((e) => e.event === "reconnect");
    expect(bye.data).toContain('"reason":"banned"');
    const refused = await api(server.url, "GET", "/api/channels", { headers: from(inside) });
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe("banned");
    expect(await upgradeStatus(inside)).toBe(403);
    const guest = await api(server.url, "POST", "/api/auth/guest", {
      body: { username: uniqueName("g") },
      headers: from(inside),
    });
    expect(guest.status).toBe(403);
    // Operators' probes still answer; other addresses are untouched.
    expect((await api(server.url, "GET", "/healthz", { headers: from(inside) })).status).toBe(200);
    expect((await api(server.url, "GET", "/api/channels", { headers: from("203.0.114.1") })).status).toBe(200);
    expect(await upgradeStatus("203.0.114.1")).toBe(101);

    await api(server.url, "DELETE", `/api/admin/bans/${set.body.ban.id}`, { token: admin.token });
    expect((await api(server.url, "GET", "/api/channels", { headers: from(inside) })).status).toBe(200);
  });

  it("a timed ban runs out by itself", async () => {
    const set = await ban({ cidr: "198.51.100.99", durationSec: 2 });
    expect(set.status).toBe(201);
    expect((await api(server.url, "GET", "/api/channels", { headers: from("198.51.100.99") })).status).toBe(403);
    await new Promise((r) => setTimeout(r, Math.max(0, (set.body.ban.until ?? 0) - Date.now()) + 100));
    expect((await api(server.url, "GET", "/api/channels", { headers: from("198.51.100.99") })).status).toBe(200);
  });

  it("refuses what would be a mistake or is not an admin's to do", async () => {
    const user = await register(server.url, "plain");
    expect((await ban({ cidr: "10.0.0.0/8" }, user.token)).status).toBe(403);
    expect((await api(server.url, "GET", "/api/admin/bans", { token: user.token })).status).toBe(403);
    expect((await api(server.url, "GET", "/api/admin/bans")).status).toBe(401);
    for (const body of [{}, { username: "x", cidr: "1.2.3.4" }, { cidr: "1.2.3" }, { cidr: "example.com" }]) {
      const res = await ban(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error?.code).toBe("invalid_request");
    }
    // Your own address: you would lock yourself out.
    const own = await ban({ cidr: "192.0.2.0/24" });
    expect(own.status).toBe(400);
    expect(own.body.error?.message).toMatch(/your own address/);
    expect((await ban({ username: TEST_ADMIN.username })).status).toBe(403);
    expect((await ban({ username: uniqueName("nobody") })).status).toBe(404);
  });

  it("survives a restart (bans are stored, not just held in memory)", async () => {
    const set = await ban({ cidr: "198.51.100.123" });
    await server.restart();
    expect((await api(server.url, "GET", "/api/channels", { headers: from("198.51.100.123") })).status).toBe(403);
    await api(server.url, "DELETE", `/api/admin/bans/${set.body.ban.id}`, { token: admin.token });
  });
});
