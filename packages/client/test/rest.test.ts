import { describe, expect, it } from "vitest";
import { ChorusError, errorFromResponse } from "../src/errors.js";
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
