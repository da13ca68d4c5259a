/**
 * Single-use connection tickets: a WebSocket or SSE stream opened with `?ticket=` is the
 * session the ticket was issued for, once; no long-lived token ever goes in a URL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestServer, type TestServer } from "./harness.js";
import { api, createChannel, register, type Session, SseClient, wsUrl } from "./helpers.js";

let server: TestServer;
let user: Session;
let channel: string;

beforeAll(async () => {
  server = await startTestServer();
  user = await register(server.url, "ticketed");
  channel = await createChannel(server.url, user);
});
afterAll(async () => {
  await server?.dispose();
});

async function ticketFor(session: Session): Promise<string> {
  const res = await api<{ ticket: string; expiresAt: number }>(server.url, "POST", "/api/realtime/tickets", {
    token: session.token,
  });
  expect(res.status).toBe(201);
  expect(res.body.expiresAt).toBeGreaterThan(Date.now() + 20_000);
  expect(res.body.expiresAt).toBeLessThanOrEqual(Date.now() + 30_000);
  return res.body.ticket;
}

function upgrade(query: string): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl(server.url)}${query}`);
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once("error", reject);
  });
}

describe("connection tickets", () => {
  it("are for signed-in callers only", async () => {
    expect((await api(server.url, "POST", "/api/realtime/tickets")).status).toBe(401);
  });

  it("open a WebSocket as the session, once", async () => {
    const ticket = await ticketFor(user);
    const ws = await upgrade(`?ticket=${ticket}`);
    if (typeof ws === "number") throw new Error(`refused ${ws}`);
    // Authenticated from the first frame: a send is acknowledged, no {op:"auth"} needed.
    const reply = new Promise<{ op: string; message?: { author: { username: string } } }>((resolve) =>
      ws.on("message", (data) => {
        for (const frame of JSON.parse(data.toString()) as Array<{ op: string }>)
          if (frame.op === "ack" || frame.op === "error") resolve(frame);
      }),
    );
    ws.send(JSON.stringify({ op: "send", channel, text: "hello by ticket", nonce: "t1" }));
    const answer = await reply;
    expect(answer.op).toBe("ack");
    expect(answer.message?.author.username).toBe(user.user.username);
    ws.close();
    // Used: refused, as is anything that is not a ticket we issued.
    expect(await upgrade(`?ticket=${ticket}`)).toBe(401);
    expect(await upgrade(`?ticket=${"x".repeat(43)}`)).toBe(401);
    expect(await upgrade("?ticket=%00")).toBe(401);
  });

  it("open an SSE stream as the session, once", async () => {
    const ticket = await ticketFor(user);
    const sse = await SseClient.open(server.url, `/api/channels/${channel}/events?ticket=${ticket}`);
    expect(sse.response.status).toBe(200);
    await sse.waitFor((e) => e.event === "subscribed");
    // The stream counts the session's user among the chatters.
    let chatters: string[] = [];
    for (let i = 0; i < 50 && !chatters.includes(user.user.username); i++) {
      const res = await api<{ chatters: Array<{ username: string }> }>(
        server.url,
        "GET",
        `/api/channels/${channel}/users`,
      );
      chatters = res.body.chatters.map((c) => c.username);
      if (!chatters.includes(user.user.username)) await new Promise((r) => setTimeout(r, 50));
    }
    expect(chatters).toContain(user.user.username);
    sse.close();
    const again = await api(server.url, "GET", `/api/channels/${channel}/events?ticket=${ticket}`);
    expect(again.status).toBe(401);
    expect(again.body.error?.code).toBe("unauthorized");
  });

  it("HEAD of an event stream answers at once, without opening a stream (found by the fuzzer: it hung)", async () => {
    for (const path of [`/api/channels/${channel}/events`, "/api/sse/stream"]) {
      const res = await api(server.url, "HEAD", path, { timeoutMs: 5_000 });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    }
  });

  it("die with their session", async () => {
    const other = await register(server.url, "leaving");
    const ticket = await ticketFor(other);
    expect((await api(server.url, "POST", "/api/auth/logout", { token: other.token })).status).toBe(204);
    expect(await upgrade(`?ticket=${ticket}`)).toBe(401);
  });
});
