/**
 * Text PostgreSQL cannot store (NUL; lone surrogates inside JSONB) and numbers it cannot
 * hold must be refused at the boundary with a stable 4xx code, never reach the store as a
 * 500. Each case below answered 500 with a stack trace before the schemas refused it; the
 * property test (boundary.property.test.ts) walks every route and op the same way at random.
 */
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import type { TestServer } from "./harness.js";
import { api, createChannel, history, postMessage, register, type Session, WsClient } from "./helpers.js";
import { useSharedServer } from "./shared-server.js";

let server: TestServer;
let admin: Session;

const track = useSharedServer((s, a) => {
  server = s;
  admin = a;
});

/** A client error with the stable body: 400 invalid_request, or 404 not_found for a name that cannot exist. */
function expectRefused(res: { status: number; text: string; body: { error?: { code: string } } }): void {
  expect([400, 404], res.text).toContain(res.status);
  expect(res.body.error?.code, res.text).toBe(res.status === 400 ? "invalid_request" : "not_found");
}

describe("NUL and lone surrogates in path parameters", () => {
  for (const suffix of ["", "/messages", "/broadcasts", "/users", "/events"]) {
    it(`GET /api/channels/main%00${suffix} is refused, not a 500`, async () => {
      expectRefused(await api(server.url, "GET", `/api/channels/main%00${suffix}`));
    });
  }

  it("a well-formed name no channel can have is not_found; names are case-insensitive", async () => {
    const res = await api(server.url, "GET", "/api/channels/no-such-channel!");
    expect(res.status, res.text).toBe(404);
    expect(res.body.error?.code).toBe("not_found");
    // Names are case-insensitive input.
    expect((await api(server.url, "GET", "/api/channels/MAIN")).status).toBe(200);
  });

  it("DELETE /api/channels/main/messages/x%00 is refused", async () => {
    const me = await register(server.url, "delnul");
    expectRefused(await api(server.url, "DELETE", "/api/channels/main/messages/x%00", { token: me.token }));
  });

  it("a lone surrogate (WTF-8 bytes) in a path is refused before routing", async () => {
    for (const path of ["/api/channels/main%ED%A0%80/messages", "/api/channels/main/broadcasts/%ED%A0%80/messages"]) {
      const res = await api(server.url, "GET", path);
      expect(res.status, res.text).toBe(400);
      expect(res.body.error?.code).toBe("invalid_request");
    }
  });

  it("a path segment longer than any name can be is not_found, in the standard error shape", async () => {
    const res = await api(server.url, "GET", `/api/channels/${"a".repeat(150)}/messages`);
    expect(res.status, res.text).toBe(404);
    expect(res.body.error?.code).toBe("not_found");
  });
});

describe("NUL and lone surrogates in bodies", () => {
  it('POST /api/auth/login with "username":"x\\u0000" is 400 invalid_request', async () => {
    const res = await api(server.url, "POST", "/api/auth/login", {
      raw: '{"username":"x\\u0000","password":"whatever-password"}',
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error?.code).toBe("invalid_request");
  });

  it("register and guest refuse NUL and lone surrogates in the username", async () => {
    for (const [path, raw] of [
      ["/api/auth/register", '{"username":"abc\\u0000","password":"long enough password"}'],
      ["/api/auth/register", '{"username":"abc\\ud800","password":"long enough password"}'],
      ["/api/auth/guest", '{"username":"abc\\u0000"}'],
      ["/api/chat/join", '{"username":"\\udc00abc"}'],
    ] as const) {
      const res = await api(server.url, "POST", path, { raw });
      expect(res.status, `${path} ${raw}: ${res.text}`).toBe(400);
    }
  });

  it("replyTo with NUL on a message post is 400 invalid_request and nothing is stored", async () => {
    const me = await register(server.url, "replynul");
    const channel = await createChannel(server.url, admin, "replynul");
    const res = await api(server.url, "POST", `/api/channels/${channel}/messages`, {
      token: me.token,
      raw: '{"text":"hi","replyTo":"x\\u0000"}',
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error?.code).toBe("invalid_request");
    expect(await history(server.url, channel)).toEqual([]);
  });

  it("a nonce with NUL over REST is 400 and never reaches the commit: other users' messages still land", async () => {
    const me = await register(server.url, "noncenul");
    const other = await register(server.url, "honest");
    const channel = await createChannel(server.url, admin, "noncenul");
    // Sent together so that, had it got that far, the bad row would share a group commit.
    const [bad, good] = await Promise.all([
      api(server.url, "POST", `/api/channels/${channel}/messages`, {
        token: me.token,
        raw: '{"text":"x","nonce":"p0\\u0000"}',
      }),
      postMessage(server.url, other, channel, "still here", "good-nonce"),
    ]);
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.error?.code).toBe("invalid_request");
    expect(good.status, good.text).toBe(201);
    expect((await history(server.url, channel)).map((m) => m.text)).toEqual(["still here"]);
  });

  it("a lone surrogate in channel settings or a title is refused (it cannot go into JSONB)", async () => {
    const channel = await createChannel(server.url, admin, "surr");
    const patch = await api(server.url, "PATCH", `/api/channels/${channel}`, {
      token: admin.token,
      raw: '{"settings":{"blockedTerms":["bad\\ud800"]}}',
    });
    expect(patch.status, patch.text).toBe(400);
    const title = await api(server.url, "PATCH", `/api/channels/${channel}`, {
      token: admin.token,
      raw: '{"title":"t\\udfff"}',
    });
    expect(title.status, title.text).toBe(400);
    expect((await api(server.url, "GET", `/api/channels/${channel}`)).status).toBe(200);
  });

  it("message text with NUL or a lone surrogate is 400", async () => {
    const me = await register(server.url, "textnul");
    for (const raw of ['{"text":"a\\u0000b"}', '{"text":"a\\ud800b"}']) {
      const res = await api(server.url, "POST", "/api/channels/main/messages", { token: me.token, raw });
      expect(res.status, res.text).toBe(400);
    }
  });
});

describe("numbers in query strings", () => {
  for (const query of [
    "?before=99999999999999999999",
    "?after=1e400",
    "?limit=NaN",
    "?after=-1",
    "?before=1.5",
    "?limit=Infinity",
  ]) {
    it(`GET /api/channels/main/messages${query} is 400`, async () => {
      const res = await api(server.url, "GET", `/api/channels/main/messages${query}`);
      expect(res.status, res.text).toBe(400);
      expect(res.body.error?.code).toBe("invalid_request");
    });
  }

  it("SSE refuses a huge since and a malformed Last-Event-ID with 400 before streaming", async () => {
    const huge = await api(server.url, "GET", "/api/channels/main/events?since=99999999999999999999", {
      timeoutMs: 5_000,
    });
    expect(huge.status, huge.text).toBe(400);
    const bad = await api(server.url, "GET", "/api/sse/stream", {
      headers: { "last-event-id": "12abc" },
      timeoutMs: 5_000,
    });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.error?.code).toBe("invalid_request");
  });
});

/** Sends raw request bytes (fetch refuses control characters in headers) and returns the whole answer. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(request, "latin1"));
    let answer = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.on("end", () => resolve(answer));
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(request)}`)));
  });
}

describe("control characters in the headers the server reads", () => {
  for (const header of ["Last-Event-ID: 1\u0000", "Authorization: Bearer \u0000", "Cookie: chorus_session=\u0000x"]) {
    it(`${JSON.stringify(header)} is a 400 from the HTTP parser, in the standard error shape`, async () => {
      const answer = await rawRequest(
        server.port,
        `GET /api/sse/stream HTTP/1.1\r\nHost: localhost\r\n${header}\r\nConnection: close\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('{"error":{"code":"invalid_request"');
    });
  }

  it("oversized headers are a 431 in the standard error shape", async () => {
    const answer = await rawRequest(
      server.port,
      `GET /api/channels HTTP/1.1\r\nHost: localhost\r\nX-Big: ${"x".repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('{"error":{"code":"invalid_request","message":"request headers are too large"}}');
  });

  it("a percent-encoded NUL in the session cookie is an anonymous caller, not an error", async () => {
    const res = await api(server.url, "GET", "/api/me", { headers: { cookie: "chorus_session=%00%ED%A0%80" } });
    expect(res.status, res.text).toBe(401);
  });
});

describe("WebSocket frames", () => {
  it('{"op":"subscribe","channel":"main\\u0000"} answers an error frame, not internal', async () => {
    const ws = track(await WsClient.connect(server.url));
    const mark = ws.mark();
    ws.send('{"op":"subscribe","channel":"main\\u0000"}');
    const error = await ws.waitForOp("error", () => true, mark);
    expect(["invalid_request", "not_found"]).toContain(error.code);
    await ws.ping();
  });

  it("a send with a NUL nonce is invalid_request (echoing the nonce) and honest sends still ack", async () => {
    const me = await register(server.url, "wsnul");
    const ws = track(await WsClient.authed(server.url, me.token));
    const mark = ws.mark();
    ws.send('{"op":"send","channel":"main","text":"x","nonce":"p0\\u0000"}');
    const ack = ws.sendMessage("main", "honest after", "honest-1");
    const error = await ws.waitForOp("error", (f) => f.nonce === "p0\u0000", mark);
    expect(error.code).toBe("invalid_request");
    expect(await ack).toMatchObject({ op: "ack", nonce: "honest-1" });
  });

  it("a send with replyTo holding NUL, or a lone surrogate in a channel, is invalid_request", async () => {
    const me = await register(server.url, "wsreply");
    const ws = track(await WsClient.authed(server.url, me.token));
    const mark = ws.mark();
    ws.send('{"op":"send","channel":"main","text":"x","nonce":"r1","replyTo":"x\\u0000"}');
    ws.send('{"op":"send","channel":"ma\\ud800in","text":"x","nonce":"r2"}');
    ws.send('{"op":"subscribe","channel":"main","since":1e300}');
    const first = await ws.waitForOp("error", (f) => f.nonce === "r1", mark);
    const second = await ws.waitForOp("error", (f) => f.nonce === "r2", mark);
    expect([first.code, second.code]).toEqual(["invalid_request", "invalid_request"]);
    await ws.ping();
    expect(ws.frames.slice(mark).filter((f) => f.op === "error" && f.code === "internal")).toEqual([]);
    expect(ws.frames.slice(mark).filter((f) => f.op === "error")).toHaveLength(3);
  });
});
