import type { ChannelEvent } from "@chorus/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SubscriptionUpdate } from "../src/channel-stream.js";
import { ChorusError } from "../src/errors.js";
import { ChorusClient, type ChorusClientOptions, type ConnectionState, type ResumedInfo } from "../src/index.js";
import { FakeSocket, message, messageFrame } from "./helpers.js";

const user = {
  id: "u1",
  username: "ann",
  displayName: "Ann",
  color: "#fff",
  isAdmin: false,
  isGuest: true,
  createdAt: 1,
};

function client(options: Partial<ChorusClientOptions> = {}) {
  const c = new ChorusClient({
    baseUrl: "http://chat.test",
    WebSocket: FakeSocket,
    fetch: () => Promise.reject(new Error("no REST in this test")),
    reconnect: { baseMs: 500, random: () => 0.5 },
    ...options,
  });
  const states: ConnectionState[] = [];
  c.on("state", (s) => states.push(s));
  return { c, states };
}

function collect() {
  const updates: SubscriptionUpdate[] = [];
  const handler = (u: SubscriptionUpdate) => updates.push(u);
  const seqs = () =>
    updates.flatMap((u) => (u.kind === "event" && "seq" in u.event ? [(u.event as { seq: number }).seq] : []));
  return { updates, handler, seqs };
}

/** Runs pending microtasks and due timers. */
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  FakeSocket.instances = [];
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("connection", () => {
  it("authenticates first and subscribes only after auth_ok", async () => {
    const { c, states } = client({ token: "t1" });
    c.subscribe("Main", () => {});
    await tick();
    const socket = FakeSocket.latest();
    expect(socket.url).toBe("ws://chat.test/api/ws");
    socket.accept();
    expect(socket.sent).toEqual([{ op: "auth", token: "t1" }]);
    expect(c.state).toBe("connecting");
    socket.push({ op: "auth_ok", user });
    expect(socket.sent[1]).toEqual({ op: "subscribe", channel: "main" });
    expect(states).toEqual(["connecting", "open"]);
    c.close();
  });

  it("connect() resolves once open and rejects when closed first", async () => {
    const { c } = client();
    const opened = c.connect();
    await tick();
    FakeSocket.latest().accept();
    await expect(opened).resolves.toBeUndefined();
    c.close();
    const second = client();
    const pending = second.c.connect();
    second.c.close();
    await expect(pending).rejects.toBeInstanceOf(ChorusError);
  });

  it("resubscribes from the last seq after a drop and reports what was filled in", async () => {
    const { c, states } = client();
    const { handler, seqs } = collect();
    const resumed: ResumedInfo[] = [];
    c.on("resumed", (info) => resumed.push(info));
    c.subscribe("main", handler);
    await tick();
    const first = FakeSocket.latest();
    first.accept();
    first.push({ op: "subscribed", channel: "main", seq: 5, recovered: true }, messageFrame(6), messageFrame(7));
    first.serverClose(1006);
    expect(c.state).toBe("reconnecting");
    await tick(250); // jitter 0.5 × base 500
    const second = FakeSocket.latest();
    expect(second).not.toBe(first);
    second.accept();
    expect(second.frames("subscribe")).toEqual([{ op: "subscribe", channel: "main", since: 7 }]);
    second.push({ op: "subscribed", channel: "main", seq: 9, recovered: true }, messageFrame(7), messageFrame(8));
    expect(resumed).toEqual([]);
    second.push(messageFrame(9), messageFrame(10));
    expect(seqs()).toEqual([6, 7, 8, 9, 10]);
    expect(resumed).toEqual([
      { missed: 2, channels: [{ channel: "main", fromSeq: 8, toSeq: 9, missed: 2, recovered: true }] },
    ]);
    expect(states).toEqual(["connecting", "open", "reconnecting", "open"]);
    c.close();
  });

  it("waits at least retryAfterMs after a reconnect frame", async () => {
    const { c } = client({ reconnect: { baseMs: 500, random: () => 0 } });
    c.subscribe("main", () => {});
    await tick();
    FakeSocket.latest().accept();
    FakeSocket.latest().push({ op: "reconnect", reason: "shutdown", retryAfterMs: 5000 });
    FakeSocket.latest().serverClose(4001);
    await tick(4999);
    expect(FakeSocket.instances).toHaveLength(1);
    await tick(1);
    expect(FakeSocket.instances).toHaveLength(2);
    c.close();
  });

  it("closes the socket itself if the server does not after a reconnect frame", async () => {
    const { c } = client({ reconnectGraceMs: 1000 });
    c.subscribe("main", () => {});
    await tick();
    const socket = FakeSocket.latest();
    socket.accept();
    socket.push({ op: "reconnect", reason: "slow consumer", retryAfterMs: 0 });
    await tick(1000);
    expect(socket.closedWith).toBe(1006);
    expect(c.state).toBe("reconnecting");
    c.close();
  });

  it("stops for good on close code 4003 and forgets the token", async () => {
    const { c, states } = client({ token: "t1" });
    const revoked: ChorusError[] = [];
    c.on("revoked", (e) => revoked.push(e));
    const sent = c.send("main", "hi").catch((e: unknown) => e);
    await tick();
    FakeSocket.latest().accept();
    FakeSocket.latest().push({ op: "auth_ok", user });
    FakeSocket.latest().push({ op: "reconnect", reason: "revoked", retryAfterMs: 0 });
    FakeSocket.latest().serverClose(4003);
    await tick(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(c.state).toBe("closed");
    expect(states.at(-1)).toBe("closed");
    expect(c.token).toBeUndefined();
    expect(revoked).toHaveLength(1);
    expect(await sent).toMatchObject({ code: "unauthorized" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("treats a refused auth frame like a revocation", async () => {
    const { c } = client({ token: "stale" });
    c.subscribe("main", () => {});
    await tick();
    FakeSocket.latest().accept();
    FakeSocket.latest().push({ op: "error", code: "unauthorized", message: "bad token" });
    await tick(60_000);
    expect(c.state).toBe("closed");
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("reconnects with the new identity when the token changes", async () => {
    const { c } = client();
    c.subscribe("main", () => {});
    await tick();
    const anonymous = FakeSocket.latest();
    anonymous.accept();
    anonymous.push({ op: "subscribed", channel: "main", seq: 3, recovered: true });
    c.setToken("t2");
    await tick();
    expect(anonymous.closedWith).toBe(1000);
    const authed = FakeSocket.latest();
    authed.accept();
    expect(authed.sent).toEqual([{ op: "auth", token: "t2" }]);
    authed.push({ op: "auth_ok", user });
    expect(authed.frames("subscribe")).toEqual([{ op: "subscribe", channel: "main", since: 3 }]);
    c.close();
  });

  it("retries when the handshake never completes", async () => {
    const { c } = client({ connectTimeoutMs: 2000 });
    c.subscribe("main", () => {});
    await tick(2000);
    expect(FakeSocket.instances[0]?.closedWith).toBe(1006);
    await tick(250);
    expect(FakeSocket.instances).toHaveLength(2);
    c.close();
  });
});

describe("keepalive", () => {
  it("pings when idle and reconnects when nothing answers", async () => {
    const { c } = client({ pingIntervalMs: 25_000, pongTimeoutMs: 10_000 });
    c.subscribe("main", () => {});
    await tick();
    const socket = FakeSocket.latest();
    socket.accept();
    await tick(25_000);
    expect(socket.frames("ping")).toHaveLength(1);
    socket.push({ op: "pong" });
    await tick(10_000);
    expect(socket.closedWith).toBeUndefined();
    await tick(15_000);
    expect(socket.frames("ping")).toHaveLength(2);
    await tick(10_000);
    expect(socket.closedWith).toBe(1006);
    expect(c.state).toBe("reconnecting");
    c.close();
  });

  it("wake() dials at once instead of waiting out the backoff", async () => {
    const { c } = client({ reconnect: { baseMs: 10_000, random: () => 0.99 } });
    c.subscribe("main", () => {});
    await tick();
    FakeSocket.latest().accept();
    FakeSocket.latest().serverClose(1006);
    await tick(100);
    expect(c.state).toBe("reconnecting");
    expect(FakeSocket.instances).toHaveLength(1);
    c.wake();
    await tick();
    expect(FakeSocket.instances).toHaveLength(2);
    c.close();
  });

  it("wake() probes an open socket and replaces it when nothing answers", async () => {
    const { c } = client({ pingIntervalMs: 25_000, wakeProbeMs: 3_000 });
    c.subscribe("main", () => {});
    await tick();
    const socket = FakeSocket.latest();
    socket.accept();
    c.wake();
    expect(socket.frames("ping")).toHaveLength(1);
    await tick(3_000);
    expect(socket.closedWith).toBe(1006);
    expect(c.state).toBe("reconnecting");

    const { c: alive } = client({ pingIntervalMs: 25_000, wakeProbeMs: 3_000 });
    alive.subscribe("main", () => {});
    await tick();
    const healthy = FakeSocket.latest();
    healthy.accept();
    alive.wake();
    healthy.push({ op: "pong" });
    await tick(3_000);
    expect(healthy.closedWith).toBeUndefined();
    c.close();
    alive.close();
  });

  it("keeps a busy connection whose pong is late", async () => {
    const { c } = client({ pingIntervalMs: 1000, pongTimeoutMs: 500 });
    c.subscribe("main", () => {});
    await tick();
    const socket = FakeSocket.latest();
    socket.accept();
    socket.push({ op: "subscribed", channel: "main", seq: 0, recovered: true });
    await tick(1000);
    socket.push(messageFrame(1));
    await tick(500);
    expect(socket.closedWith).toBeUndefined();
    c.close();
  });
});

describe("send", () => {
  it("resolves with the acknowledged message", async () => {
    const { c } = client({ token: "t1" });
    const sent = c.send("main", "hello", { replyTo: "m0" });
    await tick();
    const socket = FakeSocket.latest();
    socket.accept();
    socket.push({ op: "auth_ok", user });
    const [frame] = socket.frames("send");
    expect(frame).toMatchObject({ op: "send", channel: "main", text: "hello", replyTo: "m0" });
    expect(frame?.nonce).toMatch(/^[0-9a-f-]{36}$/);
    socket.push({ op: "ack", nonce: frame?.nonce ?? "", message: message(1) });
    await expect(sent).resolves.toEqual(message(1));
    c.close();
  });

  it("rejects with the server's error", async () => {
    const { c } = client({ token: "t1" });
    const sent = c.send("main", "hello").catch((e: unknown) => e);
    await tick();
    FakeSocket.latest().accept();
    FakeSocket.latest().push({ op: "auth_ok", user });
    const nonce = FakeSocket.latest().frames("send")[0]?.nonce ?? "";
    FakeSocket.latest().push({ op: "error", nonce, code: "slow_mode", message: "slow", retryAfterMs: 3000 });
    const error = await sent;
    expect(error).toBeInstanceOf(ChorusError);
    expect(error).toMatchObject({ code: "slow_mode", status: 429, retryAfterMs: 3000 });
    c.close();
  });

  it("sends the same frame again after a reconnect, once", async () => {
    const { c } = client({ token: "t1" });
    const sent = c.send("main", "survives");
    await tick();
    const first = FakeSocket.latest();
    first.accept();
    first.push({ op: "auth_ok", user });
    const original = first.frames("send")[0];
    first.serverClose(1006);
    await tick(250);
    const second = FakeSocket.latest();
    second.accept();
    expect(second.frames("send")).toEqual([]); // not before auth_ok
    second.push({ op: "auth_ok", user });
    expect(second.frames("send")).toEqual([original]);
    second.push({ op: "ack", nonce: original?.nonce ?? "", message: message(4) });
    await expect(sent).resolves.toEqual(message(4));
    c.close();
  });

  it("times out with unavailable/0 and returns the same promise for a repeated nonce", async () => {
    const { c } = client();
    const first = c.send("main", "x", { nonce: "n1", timeoutMs: 1000 });
    expect(c.send("main", "x", { nonce: "n1" })).toBe(first);
    const outcome = first.catch((e: unknown) => e);
    await tick(1000);
    expect(await outcome).toMatchObject({ code: "unavailable", status: 0 });
    c.close();
  });
});

describe("subscriptions", () => {
  it("drops a channel the server refused and does not resubscribe it", async () => {
    const { c } = client();
    const { updates, handler } = collect();
    c.subscribe("nope", handler);
    await tick();
    const first = FakeSocket.latest();
    first.accept();
    first.push({ op: "error", channel: "nope", code: "not_found", message: "no such channel" });
    expect(updates).toEqual([{ kind: "error", channel: "nope", error: expect.any(ChorusError), fatal: true }]);
    first.serverClose(1006);
    await tick(250);
    FakeSocket.latest().accept();
    expect(FakeSocket.latest().frames("subscribe")).toEqual([]);
    c.close();
  });

  it("shares a channel between handlers and unsubscribes with the last one", async () => {
    const { c } = client();
    const a = collect();
    const b = collect();
    const offA = c.subscribe("main", a.handler);
    await tick();
    const socket = FakeSocket.latest();
    socket.accept();
    socket.push({ op: "subscribed", channel: "main", seq: 1, recovered: true });
    const offB = c.subscribe("main", b.handler);
    expect(b.updates[0]).toEqual({ kind: "subscribed", channel: "main", seq: 1, recovered: true });
    socket.push(messageFrame(2));
    offA();
    expect(socket.frames("unsubscribe")).toEqual([]);
    socket.push(messageFrame(3));
    offB();
    expect(socket.frames("unsubscribe")).toEqual([{ op: "unsubscribe", channel: "main" }]);
    socket.push(messageFrame(4));
    expect(a.seqs()).toEqual([2]);
    expect(b.seqs()).toEqual([2, 3]);
    c.close();
  });

  it("passes ephemeral events through", async () => {
    const { c } = client();
    const { updates, handler } = collect();
    c.subscribe("main", handler);
    await tick();
    FakeSocket.latest().accept();
    const viewers: ChannelEvent = {
      op: "event",
      channel: "main",
      type: "viewer_count",
      at: 1,
      data: { viewers: 2, chatters: 1 },
    };
    FakeSocket.latest().push({ op: "subscribed", channel: "main", seq: 0, recovered: true }, viewers, viewers);
    expect(updates.filter((u) => u.kind === "event")).toEqual([
      { kind: "event", channel: "main", event: viewers },
      { kind: "event", channel: "main", event: viewers },
    ]);
    c.close();
  });
});

describe("close", () => {
  it("leaves no timer behind and rejects what was pending", async () => {
    const { c, states } = client({ token: "t1" });
    c.subscribe("main", () => {});
    const sent = c.send("main", "x").catch((e: unknown) => e);
    await tick();
    FakeSocket.latest().accept();
    FakeSocket.latest().push({ op: "auth_ok", user });
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    c.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(FakeSocket.latest().closedWith).toBe(1000);
    expect(states.at(-1)).toBe("closed");
    expect(await sent).toMatchObject({ code: "unavailable", status: 0 });
  });

  it("leaves no timer behind while waiting to reconnect", async () => {
    const { c } = client();
    c.subscribe("main", () => {});
    await tick();
    FakeSocket.latest().serverClose(1006);
    expect(vi.getTimerCount()).toBe(1);
    c.close();
    expect(vi.getTimerCount()).toBe(0);
    await tick(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });
});
