/**
 * Abuse limits, tried as an attacker would (security issue, items 2–4). Every client here
 * claims its address through a trusted proxy (`TRUST_PROXY` = 127.0.0.1, `X-Forwarded-For`),
 * so one test process can be many addresses. Each limit is set small by the test that is
 * about it; the others keep the harness's raised values.
 */
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestServer, type TestOverrides, type TestServer } from "./harness.js";
import { api, createChannel, register, type Session, SseClient, uniqueName, wsUrl } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.dispose();
  server = undefined;
});

async function start(limits: TestOverrides["limits"]): Promise<TestServer> {
  server = await startTestServer({ trustProxy: "127.0.0.1", limits });
  return server;
}

const from = (ip: string) => ({ "x-forwarded-for": ip });

async function login(base: string, username: string, password: string, ip: string) {
  return api<{ token: string }>(base, "POST", "/api/auth/login", { body: { username, password }, headers: from(ip) });
}

async function guestFrom(base: string, ip: string) {
  return api<{ token: string }>(base, "POST", "/api/auth/guest", {
    body: { username: uniqueName("g") },
    headers: from(ip),
  });
}

/** Opens a WebSocket claiming `ip`: the open socket, or the HTTP status and Retry-After of the refusal. */
function upgrade(base: string, ip: string): Promise<{ ws: WebSocket } | { status: number; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(base), { headers: from(ip) });
    ws.once("open", () => resolve({ ws }));
    ws.once("unexpected-response", (_req, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] ?? null });
      res.resume();
    });
    ws.once("error", reject);
  });
}

async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once("close", () => resolve());
          ws.close();
        }),
    ),
  );
}

describe("login throttling per account and address (item 2)", () => {
  it("backs off exponentially per (account, IP) after the free failures, and never locks the real user out elsewhere", async () => {
    const s = await start({ loginFreeFailures: 3, loginBackoffMaxSec: 900 });
    const victim = await register(s.url, "victim", "the real password 42");
    const name = victim.user.username;
    const attacker = "198.51.100.7";
    const wait = (res: Awaited<ReturnType<typeof login>>) => res.body.error?.retryAfterMs ?? 0;

    // The free failures are plain 401s; the 4th failure is still judged (401) and starts a
    // 1 s back-off, during which the next attempt is refused with the wait.
    for (let i = 0; i < 4; i++) expect((await login(s.url, name, "guess", attacker)).status).toBe(401);
    const first = await login(s.url, name, "guess", attacker);
    expect(first.status).toBe(429);
    expect(first.body.error?.code).toBe("rate_limited");
    expect(wait(first)).toBeLessThanOrEqual(1_000);
    expect(Number(first.headers.get("retry-after"))).toBe(1);

    // Each further failure doubles the wait: 2 s, then 4 s (the bounds leave a slow machine
    // a second of slack between the failure and the probe).
    await new Promise((r) => setTimeout(r, wait(first) + 50));
    expect((await login(s.url, name, "guess", attacker)).status).toBe(401);
    const second = await login(s.url, name, "guess", attacker);
    expect(second.status).toBe(429);
    expect(wait(second)).toBeGreaterThan(1_000);
    expect(wait(second)).toBeLessThanOrEqual(2_000);
    await new Promise((r) => setTimeout(r, wait(second) + 50));
    expect((await login(s.url, name, "guess", attacker)).status).toBe(401);
    const third = await login(s.url, name, "the real password 42", attacker);
    // Even the right password is refused from that address while it backs off (or the
    // back-off would be a free oracle)…
    expect(third.status).toBe(429);
    expect(wait(third)).toBeGreaterThan(2_000);
    expect(wait(third)).toBeLessThanOrEqual(4_000);

    // …but the real user, from their own address, is not affected at all.
    expect((await login(s.url, name, "the real password 42", "203.0.113.50")).status).toBe(200);
  }, 60_000);

  it("counts an unknown account like a real one (no enumeration), and a success forgets the failures", async () => {
    const s = await start({ loginFreeFailures: 2, loginBackoffMaxSec: 900 });
    const ip = "198.51.100.8";
    const ghost = uniqueName("nobody");
    for (let i = 0; i < 3; i++) expect((await login(s.url, ghost, "guess", ip)).status).toBe(401);
    expect((await login(s.url, ghost, "guess", ip)).status).toBe(429);

    const user = await register(s.url, "forgetful", "my right password 1");
    const name = user.user.username;
    for (let i = 0; i < 2; i++) expect((await login(s.url, name, "typo", ip)).status).toBe(401);
    expect((await login(s.url, name, "my right password 1", ip)).status).toBe(200);
    // The run of failures ended with the success: two more are free again.
    for (let i = 0; i < 2; i++) expect((await login(s.url, name, "typo", ip)).status).toBe(401);
    expect((await login(s.url, name, "my right password 1", ip)).status).toBe(200);
  }, 60_000);

  it("serialises parallel guesses of one pair, so a burst cannot slip past the back-off", async () => {
    const s = await start({ loginFreeFailures: 3, loginBackoffMaxSec: 900 });
    const victim = await register(s.url, "burst", "the real password 43");
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => login(s.url, victim.user.username, "guess", "198.51.100.9")),
    );
    const judged = answers.filter((a) => a.status === 401).length;
    // 3 free failures and the 4th that starts the back-off; the rest wait it out as 429s.
    expect(judged).toBe(4);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(26);
  });

  it("limits failed logins per address across accounts (password spraying)", async () => {
    const s = await start({ loginFailuresPerIpPerDay: 10 });
    const sprayer = "198.51.100.10";
    const accounts = await Promise.all(
      Array.from({ length: 11 }, () => register(s.url, "spray", "a fine password 77")),
    );
    // One guess per account: no pair ever reaches its back-off…
    for (const account of accounts.slice(0, 10))
      expect((await login(s.url, account.user.username, "Winter2026!", sprayer)).status).toBe(401);
    // …but the address has used its day's failures: refused, whatever the account.
    const refused = await login(s.url, accounts[10]?.user.username ?? "", "a fine password 77", sprayer);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(3600);
    // Another address is unaffected.
    expect((await login(s.url, accounts[10]?.user.username ?? "", "a fine password 77", "203.0.113.51")).status).toBe(
      200,
    );
  });
});

describe("passwords attackers try first", () => {
  it("refuses common passwords and ones made of the username at registration, with a clear error", async () => {
    const s = await start({});
    const username = uniqueName("pw");
    for (const password of ["password123", "qwertyuiop", "P@ssw0rd2024!", "iloveyou1", `${username}2024`]) {
      const res = await api(s.url, "POST", "/api/auth/register", { body: { username, password } });
      expect(res.status, password).toBe(400);
      expect(res.body.error?.code).toBe("invalid_request");
      expect(res.body.error?.message).toMatch(/too common/);
    }
    // Nothing was created by the refusals: the name is still free, and a passphrase is fine.
    const ok = await api(s.url, "POST", "/api/auth/register", {
      body: { username, password: "velvet otter climbs quietly" },
    });
    expect(ok.status).toBe(201);
  });
});

describe("per-IP realtime connection limits (item 3)", () => {
  it("refuses the upgrade beyond the concurrent limit with 429 and Retry-After, and frees the slot on close", async () => {
    const s = await start({ connectionsPerIp: 5 });
    const ip = "198.51.100.20";
    const opened: WebSocket[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await upgrade(s.url, ip);
      if (!("ws" in r)) throw new Error(`upgrade ${i} refused with ${r.status}`);
      opened.push(r.ws);
    }
    const refused = await upgrade(s.url, ip);
    expect(refused).toMatchObject({ status: 429 });
    if (!("ws" in refused)) expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // An SSE stream counts as a connection too: refused with the JSON error before it starts.
    const sse = await api(s.url, "GET", "/api/channels/main/events", { headers: from(ip) });
    expect(sse.status).toBe(429);
    expect(sse.body.error?.code).toBe("rate_limited");
    // Someone else is unaffected.
    const other = await upgrade(s.url, "203.0.113.60");
    expect("ws" in other).toBe(true);
    if ("ws" in other) opened.push(other.ws);

    await closeAll(opened.slice(0, 1));
    // The freed slot is usable again (the close is processed asynchronously on the server).
    let again: Awaited<ReturnType<typeof upgrade>> | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      again = await upgrade(s.url, ip);
      if ("ws" in again) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(again !== undefined && "ws" in again).toBe(true);
    if (again && "ws" in again) opened.push(again.ws);
    await closeAll(opened);
  });

  it("300 upgrades from one address: exactly the limit get in", async () => {
    const s = await start({ connectionsPerIp: 100 });
    const results = await Promise.all(Array.from({ length: 300 }, () => upgrade(s.url, "198.51.100.21")));
    const sockets = results.flatMap((r) => ("ws" in r ? [r.ws] : []));
    expect(sockets).toHaveLength(100);
    expect(results.filter((r) => "status" in r && r.status === 429)).toHaveLength(200);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/chorus_connections_refused_total\{reason="concurrent"\} 200/);
    await closeAll(sockets);
  });

  it("limits new connections per second per address", async () => {
    const s = await start({ connectsPerIpPerSec: 3 });
    // Ten at once, so they land in one window even on a slow machine.
    const results = await Promise.all(Array.from({ length: 10 }, () => upgrade(s.url, "198.51.100.22")));
    const sockets = results.flatMap((r) => ("ws" in r ? [r.ws] : []));
    // 3 per window; if a window ends among them, at most two windows' worth.
    expect(sockets.length).toBeGreaterThanOrEqual(3);
    expect(sockets.length).toBeLessThanOrEqual(6);
    const refused = results.filter((r) => "status" in r);
    expect(refused.length).toBe(10 - sockets.length);
    for (const r of refused) expect(r).toMatchObject({ status: 429 });
    await closeAll(sockets);
  });

  it("releases an SSE reader's slot when it leaves", async () => {
    const s = await start({ connectionsPerIp: 1 });
    const ip = "198.51.100.23";
    const first = await SseClient.open(s.url, "/api/channels/main/events", from(ip));
    expect(first.response.status).toBe(200);
    expect((await api(s.url, "GET", "/api/channels/main/events", { headers: from(ip) })).status).toBe(429);
    first.close();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      const next = await SseClient.open(s.url, "/api/channels/main/events", from(ip));
      status = next.response.status;
      next.close();
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(200);
  });
});

describe("guest identities do not multiply the limits (item 4)", () => {
  it("limits guest creation per address", async () => {
    const s = await start({ guestsPerIpPerHour: 3 });
    for (let i = 0; i < 3; i++) expect((await guestFrom(s.url, "198.51.100.30")).status).toBe(201);
    const refused = await guestFrom(s.url, "198.51.100.30");
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe("rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(60);
    expect((await guestFrom(s.url, "203.0.113.70")).status).toBe(201);
  });

  it("10 guests from one address share one message budget; accounts and other addresses keep theirs", async () => {
    const s = await start({ guestMessagesPerIpPerWindow: 30, messagesPerWindow: 20 });
    const admin = await register(s.url, "owner", "owner password 12");
    const channel = await createChannel(s.url, admin);
    const ip = "198.51.100.31";
    const guests = await Promise.all(Array.from({ length: 10 }, () => guestFrom(s.url, "203.0.113.80")));
    // 10 guests × 20 messages each (each within its own per-user limit), all sent from `ip`.
    const sends = guests.flatMap((g) =>
      Array.from({ length: 20 }, (_, i) =>
        api(s.url, "POST", `/api/channels/${channel}/messages`, {
          token: g.body.token,
          body: { text: `flood ${i}` },
          headers: from(ip),
        }),
      ),
    );
    const answers = await Promise.all(sends);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(30);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(170);
    expect(refused[0]?.body.error?.message).toMatch(/guests from your address/);

    // A registered account at the same address is not a guest: its own budget only.
    const member: Session = await register(s.url, "member", "member password 12");
    const memberSend = await api(s.url, "POST", `/api/channels/${channel}/messages`, {
      token: member.token,
      body: { text: "hello" },
      headers: from(ip),
    });
    expect(memberSend.status).toBe(201);
    // A guest elsewhere is unaffected.
    const elsewhere = await guestFrom(s.url, "203.0.113.81");
    const sent = await api(s.url, "POST", `/api/channels/${channel}/messages`, {
      token: elsewhere.body.token,
      body: { text: "hi" },
      headers: from("203.0.113.81"),
    });
    expect(sent.status).toBe(201);
  });

  it("holds over WebSocket sends too", async () => {
    const s = await start({ guestMessagesPerIpPerWindow: 5 });
    const owner = await register(s.url, "owner", "owner password 13");
    const channel = await createChannel(s.url, owner);
    const ip = "198.51.100.32";
    const guests = await Promise.all(Array.from({ length: 3 }, () => guestFrom(s.url, "203.0.113.90")));
    const outcomes: string[] = [];
    await Promise.all(
      guests.map(async (g, gi) => {
        const r = await upgrade(s.url, ip);
        if (!("ws" in r)) throw new Error(`upgrade refused ${r.status}`);
        const ws = r.ws;
        const replies = new Map<string, string>();
        ws.on("message", (data) => {
          for (const frame of JSON.parse(data.toString()) as Array<{ op: string; nonce?: string; code?: string }>) {
            if (frame.nonce !== undefined)
              replies.set(frame.nonce, frame.op === "error" ? (frame.code ?? "?") : frame.op);
          }
        });
        ws.send(JSON.stringify({ op: "auth", token: g.body.token }));
        for (let i = 0; i < 4; i++)
          ws.send(JSON.stringify({ op: "send", channel, text: `ws ${i}`, nonce: `g${gi}-${i}` }));
        const deadline = Date.now() + 5_000;
        while (replies.size < 4 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
        outcomes.push(...replies.values());
        await closeAll([ws]);
      }),
    );
    expect(outcomes).toHaveLength(12);
    expect(outcomes.filter((o) => o === "ack")).toHaveLength(5);
    expect(outcomes.filter((o) => o === "rate_limited")).toHaveLength(7);
  });
});
