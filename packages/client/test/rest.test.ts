import { describe, expect, it } from "vitest";
import { ChorusError, errorFromFrame, errorFromResponse } from "../src/errors.js";
import { type FetchLike, RestClient } from "../src/rest.js";
import { websocketUrl } from "../src/socket.js";
import { message } from "./helpers.js";

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: unknown;
}

function fakeFetch(respond: (call: Call) => { status: number; body?: unknown; headers?: Record<string, string> }) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    const call: Call = { url, method: init.method, headers: init.headers };
    if (init.body !== undefined) call.body = JSON.parse(init.body);
    calls.push(call);
    const { status, body, headers = {} } = respond(call);
    return {
      ok: status >= 200 && status < 300,
      status,
      headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
      text: async () => (body === undefined ? "" : JSON.stringify(body)),
    };
  };
  return { fetch, calls };
}

const user = {
  id: "u1",
  username: "ann",
  displayName: "Ann",
  color: "#fff",
  isAdmin: false,
  isGuest: true,
  createdAt: 1,
};

describe("RestClient", () => {
  it("stores the token from guest and sends it as a bearer token afterwards", async () => {
    const { fetch, calls } = fakeFetch((call) =>
      call.url.endsWith("/api/auth/guest")
        ? { status: 201, body: { user, token: "t1" } }
        : { status: 200, body: { user } },
    );
    const rest = new RestClient({ baseUrl: "http://chat.test/", fetch });
    await rest.guest({ username: "ann" });
    expect(rest.token).toBe("t1");
    expect(await rest.me()).toEqual(user);
    expect(calls[0]).toMatchObject({
      url: "http://chat.test/api/auth/guest",
      method: "POST",
      body: { username: "ann" },
    });
    expect(calls[0]?.headers["authorization"]).toBeUndefined();
    expect(calls[1]?.headers["authorization"]).toBe("Bearer t1");
  });

  it("forgets the token on logout even when the server call fails", async () => {
    const { fetch } = fakeFetch(() => ({ status: 503, body: { error: { code: "unavailable", message: "down" } } }));
    const rest = new RestClient({ baseUrl: "http://chat.test", token: "t1", fetch });
    await expect(rest.logout()).rejects.toMatchObject({ code: "unavailable", status: 503 });
    expect(rest.token).toBeUndefined();
  });

  it("builds history queries and encodes channel names", async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 200, body: { messages: [message(1)] } }));
    const rest = new RestClient({ baseUrl: "http://chat.test", fetch });
    expect(await rest.history({ channel: "main", after: 10, limit: 200 })).toEqual([message(1)]);
    await rest.history({ channel: "a/b" });
    expect(calls.map((c) => c.url)).toEqual([
      "http://chat.test/api/channels/main/messages?after=10&limit=200",
      "http://chat.test/api/channels/a%2Fb/messages",
    ]);
  });

  it("tells a stored message from a held one", async () => {
    let held = false;
    const { fetch, calls } = fakeFetch(() =>
      held ? { status: 202, body: { held: true, id: "h1" } } : { status: 201, body: { message: message(3) } },
    );
    const rest = new RestClient({ baseUrl: "http://chat.test", fetch });
    expect(await rest.postMessage("main", "hi", { nonce: "n1" })).toEqual({ held: false, message: message(3) });
    held = true;
    expect(await rest.postMessage("main", "hi")).toEqual({ held: true, id: "h1" });
    expect(calls[0]?.body).toEqual({ text: "hi", nonce: "n1" });
    expect(calls[1]?.body).toEqual({ text: "hi" });
  });

  it("accepts 204 without a body", async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 204 }));
    const rest = new RestClient({ baseUrl: "http://chat.test", fetch });
    await expect(rest.deleteMessage("main", "m1")).resolves.toBeUndefined();
    expect(calls[0]).toMatchObject({ method: "DELETE", url: "http://chat.test/api/channels/main/messages/m1" });
  });

  it("throws ChorusError with code, status and retryAfterMs", async () => {
    const { fetch } = fakeFetch(() => ({
      status: 429,
      body: { error: { code: "slow_mode", message: "wait", retryAfterMs: 2500 } },
    }));
    const rest = new RestClient({ baseUrl: "http://chat.test", fetch });
    const error = await rest.postMessage("main", "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChorusError);
    expect(error).toMatchObject({ code: "slow_mode", status: 429, retryAfterMs: 2500, message: "wait" });
  });

  it("calls the moderation endpoints with their paths, bodies and queries", async () => {
    const ban = { username: "bob", kind: "timeout", until: 2_000, reason: "spam", by: "mod", at: 1_000 };
    const entry = { id: "e1", at: 5, actor: "mod", action: "ban", target: "bob", reason: null, details: {} };
    const { fetch, calls } = fakeFetch((call) => {
      if (call.url.endsWith("/bans") && call.method === "POST") return { status: 201, body: { ban } };
      if (call.url.endsWith("/bans")) return { status: 200, body: { bans: [ban] } };
      if (call.url.includes("/modlog")) return { status: 200, body: { entries: [entry] } };
      if (call.url.includes("/roles/")) return { status: 200, body: { username: "bob", role: "moderator" } };
      return { status: 204 };
    });
    const rest = new RestClient({ baseUrl: "http://chat.test", fetch });
    expect(await rest.timeout("main", "bob", 600, { reason: "spam" })).toEqual(ban);
    await rest.ban("main", "b/ob");
    await rest.unban("main", "bob");
    expect(await rest.listBans("main")).toEqual([ban]);
    await rest.clearChat("main");
    expect(await rest.setRole("main", "bob", "moderator")).toEqual({ username: "bob", role: "moderator" });
    expect(await rest.modlog("main", { action: "ban", target: "bob", before: 99, limit: 20 })).toEqual([entry]);
    await rest.modlog("main", { action: "", target: "" });
    expect(calls.map((c) => `${c.method} ${c.url.replace("http://chat.test", "")}`)).toEqual([
      "POST /api/channels/main/bans",
      "POST /api/channels/main/bans",
      "DELETE /api/channels/main/bans/bob",
      "GET /api/channels/main/bans",
      "POST /api/channels/main/clear",
      "PUT /api/channels/main/roles/bob",
      "GET /api/channels/main/modlog?action=ban&target=bob&before=99&limit=20",
      "GET /api/channels/main/modlog",
    ]);
    expect(calls.map((c) => c.body)).toEqual([
      { username: "bob", durationSec: 600, reason: "spam" },
      { username: "b/ob" },
      undefined,
      undefined,
      undefined,
      { role: "moderator" },
      undefined,
      undefined,
    ]);
  });

  it("carries until on banned and timed_out refusals", async () => {
    let body: unknown = { error: { code: "timed_out", message: "timed out", until: 123_456, retryAfterMs: 9_000 } };
    const { fetch } = fakeFetch(() => ({ status: 403, body }));
    const rest = new RestClient({ baseUrl: "http://chat.test", fetch });
    await expect(rest.postMessage("main", "x")).rejects.toMatchObject({
      code: "timed_out",
      status: 403,
      until: 123_456,
      retryAfterMs: 9_000,
    });
    body = { error: { code: "banned", message: "banned", until: null } };
    await expect(rest.postMessage("main", "x")).rejects.toMatchObject({ code: "banned", until: null });
    body = { error: { code: "forbidden", message: "no" } };
    const error = await rest.postMessage("main", "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChorusError);
    expect(error instanceof ChorusError ? error.until : "not a ChorusError").toBeUndefined();
    expect(errorFromFrame({ code: "timed_out", message: "m", until: 7, retryAfterMs: 1 })).toMatchObject({
      code: "timed_out",
      status: 403,
      until: 7,
    });
    expect(errorFromFrame({ code: "banned", message: "m", until: null }).until).toBeNull();
  });

  it("maps a network failure to unavailable with status 0", async () => {
    const rest = new RestClient({
      baseUrl: "http://chat.test",
      fetch: () => Promise.reject(new TypeError("fetch failed")),
    });
    await expect(rest.listChannels()).rejects.toMatchObject({ code: "unavailable", status: 0 });
  });
});

describe("errorFromResponse", () => {
  it("falls back to the status and the Retry-After header", () => {
    const error = errorFromResponse(429, "<html>", "3");
    expect(error).toMatchObject({ code: "rate_limited", status: 429, retryAfterMs: 3000 });
    expect(errorFromResponse(502, undefined, null)).toMatchObject({ code: "unavailable", status: 502 });
    expect(errorFromResponse(418, { error: { code: "teapot", message: "?" } }, null).code).toBe("invalid_request");
  });
});

describe("websocketUrl", () => {
  it("maps http→ws and https→wss and keeps a path prefix", () => {
    expect(websocketUrl("http://localhost:3000")).toBe("ws://localhost:3000/api/ws");
    expect(websocketUrl("https://example.com/chat/")).toBe("wss://example.com/chat/api/ws");
  });
});
