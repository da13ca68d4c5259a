/**
 * The per-IP limits hold across nodes (security issue, items 2–3): two node processes sharing
 * one Redis and one PostgreSQL. Every client is 127.0.0.1 here, so the limits under test are set
 * small for the whole cluster. Skipped, loudly, when redis-server or PostgreSQL is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type Cluster, clusterAvailable, startCluster } from "./cluster-harness.js";
import { api, loginAdmin, register, WsClient, wsUrl } from "./helpers.js";

const available = await clusterAvailable();

function upgrade(base: string): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(base));
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once("error", reject);
  });
}

describe.skipIf(!available)("abuse limits across nodes", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 2,
      env: { CONNECTIONS_PER_IP: "4", LOGIN_FREE_FAILURES: "2", LOGIN_BACKOFF_MAX_SEC: "900" },
    });
  }, 120_000);
  afterAll(async () => {
    await cluster?.dispose();
  });

  it("counts one address's connections on every node", async () => {
    const [a, b] = cluster.nodes;
    if (!a || !b) throw new Error("two nodes expected");
    const open: WebSocket[] = [];
    for (const node of [a, a, b, b]) {
      const r = await upgrade(node.url);
      if (typeof r === "number") throw new Error(`refused with ${r} before the limit`);
      open.push(r);
    }
    // Four held over the two nodes: a fifth is refused on either.
    expect(await upgrade(a.url)).toBe(429);
    expect(await upgrade(b.url)).toBe(429);
    const sse = await api(b.url, "GET", "/api/channels/main/events");
    expect(sse.status).toBe(429);
    // One closed on A frees a slot for B.
    await new Promise<void>((resolve) => {
      open[0]?.once("close", () => resolve());
      open[0]?.close();
    });
    let next: WebSocket | number = 0;
    for (let attempt = 0; attempt < 50; attempt++) {
      next = await upgrade(b.url);
      if (typeof next !== "number") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(typeof next).not.toBe("number");
    if (typeof next !== "number") open.push(next);
    for (const ws of open) ws.close();
  });

  it("keeps a login back-off whichever node the next guess goes to", async () => {
    const [a, b] = cluster.nodes;
    if (!a || !b) throw new Error("two nodes expected");
    const user = await register(a.url, "target", "the right password 9");
    const guess = (url: string, password = "wrong") =>
      api(url, "POST", "/api/auth/login", { body: { username: user.user.username, password } });
    expect((await guess(a.url)).status).toBe(401);
    expect((await guess(b.url)).status).toBe(401);
    // The third failure (through A) starts a 1 s back-off, the fourth (through B, after it)
    // a 2 s one; A honours it.
    expect((await guess(a.url)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await guess(b.url)).status).toBe(401);
    const refused = await guess(a.url, "the right password 9");
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe("rate_limited");
  });

  it("a site ban set through one node closes the account's connections on the other at once", async () => {
    const [a, b] = cluster.nodes;
    if (!a || !b) throw new Error("two nodes expected");
    const admin = await loginAdmin(a.url);
    const user = await register(b.url, "sitebanned", "the right password 10");
    const conn = await WsClient.authed(b.url, user.token);
    const set = await api<{ ban: { id: string } }>(a.url, "POST", "/api/admin/bans", {
      token: admin.token,
      body: { username: user.user.username },
    });
    expect(set.status).toBe(201);
    // When the admin's request has returned, B has reloaded: its token is refused there.
    const me = await api(b.url, "GET", "/api/me", { token: user.token });
    expect(me.status).toBe(403);
    expect(me.body.error?.code).toBe("banned");
    expect((await conn.closed).code).toBe(4003);
    await api(a.url, "DELETE", `/api/admin/bans/${set.body.ban.id}`, { token: admin.token });
  });

  it("a connection ticket issued by one node opens a connection on the other, once", async () => {
    const [a, b] = cluster.nodes;
    if (!a || !b) throw new Error("two nodes expected");
    // Connection slots from the tests above are released asynchronously.
    await new Promise((r) => setTimeout(r, 200));
    const user = await register(a.url, "ticket", "the right password 11");
    const issued = await api<{ ticket: string }>(a.url, "POST", "/api/realtime/tickets", { token: user.token });
    expect(issued.status).toBe(201);
    const first = await upgradeWith(b.url, issued.body.ticket);
    expect(typeof first).not.toBe("number");
    if (typeof first !== "number") first.close();
    expect(await upgradeWith(a.url, issued.body.ticket)).toBe(401);
  });
});

function upgradeWith(base: string, ticket: string): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl(base)}?ticket=${ticket}`);
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once("error", reject);
  });
}
