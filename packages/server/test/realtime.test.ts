/**
 * Real-time delivery over real sockets: WebSocket and SSE fan-out, acks, ordering under
 * concurrent writers, resume by seq (no gap, no duplicate), protocol errors, presence
 * events and shutdown.
 */
import type { Message } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import {
  api,
  createChannel,
  eventually,
  guest,
  history,
  loginAdmin,
  postMessage,
  range,
  register,
  type Session,
  SseClient,
  sleep,
  uniqueName,
  WsClient,
} from "./helpers.js";
import { postAll as sharedPostAll, useSharedServer } from "./shared-server.js";

let server: TestServer;
let admin: Session;
const track = useSharedServer((s, a) => {
  server = s;
  admin = a;
});

async function sleepUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  await eventually(async () => ((await condition()) ? true : undefined), "condition", timeoutMs).catch(() => undefined);
}

const postAll = (session: Session, channel: string, texts: string[]): Promise<Message[]> =>
  sharedPostAll(server.url, session, channel, texts);

describe("delivery", () => {
  it("delivers a REST message on WebSocket and SSE, after the subscribed frame", async () => {
    const ws = track(await WsClient.connect(server.url));
    const subscribed = await ws.subscribe("main");
    expect(ws.frames[0]).toEqual({ op: "subscribed", channel: "main", seq: subscribed.seq, recovered: true });
    expect(ws.raw[0]?.startsWith("[")).toBe(true);

    const sse = track(await SseClient.open(server.url, "/api/channels/main/events"));
    expect(sse.response.status).toBe(200);
    expect(sse.response.headers.get("content-type")).toContain("text/event-stream");
    const first = await sse.waitFor(() => true, 0, "first SSE event");
    expect(first.event).toBe("subscribed");
    expect(first.id).toBeUndefined();
    const sseSubscribed = JSON.parse(first.data) as { seq: number; recovered: boolean };
    expect(sseSubscribed.recovered).toBe(true);
    expect(sseSubscribed.seq).toBeGreaterThanOrEqual(subscribed.seq);

    const poster = await guest(server.url, "poster");
    const text = `hello ${uniqueName("t")}`;
    const res = await postMessage(server.url, poster, "main", text);
    expect(res.status).toBe(201);
    const message = res.body.message;
    expect(message.text).toBe(text);
    expect(message.channel).toBe("main");
    expect(message.seq).toBeGreaterThan(subscribed.seq);
    expect(message.author.username).toBe(poster.user.username);
    expect(message.author.platform).toBe("chorus");

    const wsEvent = await ws.waitForEvent("message", (e) => e.data.id === message.id);
    expect(wsEvent).toMatchObject({ op: "event", channel: "main", seq: message.seq, type: "message" });
    expect(typeof wsEvent.at).toBe("number");
    expect(wsEvent.data).toEqual(message);

    const sseEvent = await sse.waitFor((e) => e.id === String(message.seq), 0, `SSE id ${message.seq}`);
    expect(sseEvent.event).toBe("message");
    const envelope = JSON.parse(sseEvent.data) as { op: string; seq: number; type: string; data: Message };
    expect(envelope).toMatchObject({ op: "event", channel: "main", seq: message.seq, type: "message" });
    expect(envelope.data).toEqual(message);
  });

  it("acks a WebSocket send only when durable and echoes the sender's own message event", async () => {
    const me = await guest(server.url, "wsender");
    const ws = track(await WsClient.authed(server.url, me.token));
    expect(ws.frames.find((f) => f.op === "auth_ok")).toMatchObject({
      op: "auth_ok",
      user: { id: me.user.id, username: me.user.username },
    });
    await ws.subscribe("main");
    const nonce = ws.nextNonce();
    const mark = ws.mark();
    ws.send({ op: "send", channel: "main", text: "over the socket", nonce });
    const ack = await ws.waitForOp("ack", (f) => f.nonce === nonce, mark);
    expect(ack.message.text).toBe("over the socket");
    expect(ack.message.author.id).toBe(me.user.id);
    // Ack means durable: history has it at once.
    const latest = await history(server.url, "main", "?limit=200");
    expect(latest.map((m) => m.id)).toContain(ack.message.id);
    const own = await ws.waitForEvent("message", (e) => e.data.id === ack.message.id, mark);
    expect(own.seq).toBe(ack.message.seq);
    expect(own.data).toEqual(ack.message);
  });

  it("gives two subscribers identical, contiguous seqs under 10 concurrent posters", async () => {
    const channel = await createChannel(server.url, admin, "conc");
    const a = track(await WsClient.connect(server.url));
    const b = track(await WsClient.connect(server.url));
    const subA = await a.subscribe(channel);
    const subB = await b.subscribe(channel);
    expect(subA.seq).toBe(0);
    expect(subB.seq).toBe(0);
    const sse = track(await SseClient.open(server.url, `/api/channels/${channel}/events`));
    await sse.waitFor((e) => e.event === "subscribed");

    const posters = await Promise.all(range(1, 10).map(() => guest(server.url, "conc")));
    const perUser = 20; // the default per-user limit is 20 messages / 30 s
    const results = await Promise.all(
      posters.map((p, u) =>
        Promise.all(range(1, perUser).map((i) => postMessage(server.url, p, channel, `u${u} m${i}`))),
      ),
    );
    const all = results.flat();
    for (const r of all) expect(r.status, r.text).toBe(201);
    const total = posters.length * perUser;
    const posted = new Set(all.map((r) => r.body.message.id));
    expect(posted.size).toBe(total);
    expect(all.map((r) => r.body.message.seq).sort((x, y) => x - y)).toEqual(range(1, total));

    for (const client of [a, b]) await client.waitForEvent("message", (e) => e.seq === total, 0, 10_000);
    await sse.waitForSeq(total, 10_000);
    const seqsA = a.loggedEvents(channel).map((e) => e.seq);
    const seqsB = b.loggedEvents(channel).map((e) => e.seq);
    expect(seqsA).toEqual(range(1, total));
    expect(seqsB).toEqual(seqsA);
    expect(sse.logged().map((e) => e.id)).toEqual(range(1, total));
    expect(new Set(a.messageEvents(channel).map((e) => e.data.id))).toEqual(posted);
    // The seq inside each message is the envelope's seq.
    for (const e of a.messageEvents(channel)) expect(e.data.seq).toBe(e.seq);
  });

  it("lets one connection subscribe to several channels and keeps them apart", async () => {
    const one = await createChannel(server.url, admin, "multi");
    const two = await createChannel(server.url, admin, "multi");
    const ws = track(await WsClient.connect(server.url));
    await ws.subscribe(one);
    await ws.subscribe(two);
    const [m1] = await postAll(admin, one, ["to one"]);
    const [m2] = await postAll(admin, two, ["to two"]);
    await ws.waitForEvent("message", (e) => e.data.id === m2?.id);
    await ws.waitForEvent("message", (e) => e.data.id === m1?.id);
    expect(ws.messageEvents(one).map((e) => e.data.text)).toEqual(["to one"]);
    expect(ws.messageEvents(two).map((e) => e.data.text)).toEqual(["to two"]);
    const mark = ws.mark();
    ws.send({ op: "unsubscribe", channel: one });
    await ws.waitForOp("unsubscribed", (f) => f.channel === one, mark);
    await postAll(admin, one, ["after unsubscribe"]);
    const [m3] = await postAll(admin, two, ["still here"]);
    await ws.waitForEvent("message", (e) => e.data.id === m3?.id, mark);
    expect(ws.messageEvents(one, mark)).toEqual([]);
  });
});

describe("resume", () => {
  it("replays exactly the missed seqs on WebSocket resubscribe with since, then live ones", async () => {
    const channel = await createChannel(server.url, admin, "resume");
    const first = track(await WsClient.connect(server.url));
    await first.subscribe(channel);
    await postAll(admin, channel, ["a1", "a2", "a3"]);
    await first.waitForEvent("message", (e) => e.seq === 3);
    const lastSeen = Math.max(...first.loggedEvents(channel).map((e) => e.seq));
    expect(lastSeen).toBe(3);
    first.close();
    await first.closed;

    const missed = await postAll(admin, channel, ["b1", "b2", "b3", "b4", "b5"]);
    expect(missed.map((m) => m.seq)).toEqual([4, 5, 6, 7, 8]);

    const second = track(await WsClient.connect(server.url));
    const subscribed = await second.subscribe(channel, lastSeen);
    expect(subscribed).toEqual({ op: "subscribed", channel, seq: 8, recovered: true });
    await second.waitForEvent("message", (e) => e.seq === 8);
    const live = await postAll(admin, channel, ["c1", "c2"]);
    await second.waitForEvent("message", (e) => e.seq === 10);

    const received = second.loggedEvents(channel);
    expect(received.map((e) => e.seq)).toEqual(range(4, 10));
    expect(received.map((e) => (e.type === "message" ? e.data.id : null))).toEqual(
      [...missed, ...live].map((m) => m.id),
    );
    const subscribedAt = second.frames.findIndex((f) => f.op === "subscribed");
    const firstReplayAt = second.frames.findIndex((f) => f.op === "event" && f.type === "message");
    expect(subscribedAt).toBeGreaterThanOrEqual(0);
    expect(subscribedAt).toBeLessThan(firstReplayAt);
  });

  it("resumes without gap or duplicate while messages keep arriving during the resubscribe", async () => {
    const channel = await createChannel(server.url, admin, "race");
    await postAll(
      admin,
      channel,
      range(1, 5).map((i) => `pre ${i}`),
    );
    const ws = track(await WsClient.connect(server.url));
    // Posting continues while the subscription backfills.
    const writer = Promise.all(range(1, 30).map((i) => postMessage(server.url, admin, channel, `during ${i}`)));
    await ws.subscribe(channel, 2);
    const results = await writer;
    for (const r of results) expect(r.status).toBe(201);
    await ws.waitForEvent("message", (e) => e.seq === 35, 0, 10_000);
    expect(ws.loggedEvents(channel).map((e) => e.seq)).toEqual(range(3, 35));
  });

  it("resumes SSE from Last-Event-ID (and from ?since) with exactly the missed ids, then live ones", async () => {
    const channel = await createChannel(server.url, admin, "sseres");
    const first = track(await SseClient.open(server.url, `/api/channels/${channel}/events`));
    await first.waitFor((e) => e.event === "subscribed");
    await postAll(admin, channel, ["a1", "a2", "a3"]);
    await first.waitForSeq(3);
    const lastId = first.logged().at(-1)?.id;
    expect(lastId).toBe(3);
    first.close();

    const missed = await postAll(admin, channel, ["b1", "b2", "b3", "b4"]);
    const second = track(
      await SseClient.open(server.url, `/api/channels/${channel}/events`, { "last-event-id": String(lastId) }),
    );
    const head = await second.waitFor(() => true, 0, "first SSE event");
    expect(head.event).toBe("subscribed");
    expect(JSON.parse(head.data)).toMatchObject({ seq: 7, recovered: true });
    await second.waitForSeq(7);
    const live = await postAll(admin, channel, ["c1", "c2"]);
    await second.waitForSeq(9);
    const got = second.logged();
    expect(got.map((e) => e.id)).toEqual(range(4, 9));
    expect(got.map((e) => e.event)).toEqual(Array(6).fill("message"));
    expect(got.map((e) => (e.envelope.type === "message" ? e.envelope.data.id : null))).toEqual(
      [...missed, ...live].map((m) => m.id),
    );

    const bySince = track(await SseClient.open(server.url, `/api/channels/${channel}/events?since=6`));
    await bySince.waitForSeq(9);
    expect(bySince.events[0]?.event).toBe("subscribed");
    expect(bySince.logged().map((e) => e.id)).toEqual([7, 8, 9]);
  });

  it("re-syncs an existing subscription when the client subscribes again with since", async () => {
    const channel = await createChannel(server.url, admin, "resync");
    const ws = track(await WsClient.connect(server.url));
    await ws.subscribe(channel);
    await postAll(admin, channel, ["x1", "x2", "x3", "x4"]);
    await ws.waitForEvent("message", (e) => e.seq === 4);
    const mark = ws.mark();
    const again = await ws.subscribe(channel, 1);
    expect(again).toEqual({ op: "subscribed", channel, seq: 4, recovered: true });
    await ws.waitForEvent("message", (e) => e.seq === 4, mark);
    await postAll(admin, channel, ["x5"]);
    await ws.waitForEvent("message", (e) => e.seq === 5, mark);
    expect(ws.loggedEvents(channel, mark).map((e) => e.seq)).toEqual([2, 3, 4, 5]);
  });

  it("keeps one subscription when a client sends subscribe twice back to back", async () => {
    const channel = await createChannel(server.url, admin, "double");
    await postAll(admin, channel, ["d1", "d2"]);
    const ws = track(await WsClient.connect(server.url));
    // Both frames arrive in one read; the second is a re-sync that must replace the first.
    ws.send({ op: "subscribe", channel });
    ws.send({ op: "subscribe", channel, since: 0 });
    await ws.waitFor((f) => f.op === "subscribed" && f.channel === channel && f.recovered && f.seq === 2);
    await ws.waitForEvent("message", (e) => e.seq === 2);
    const [live] = await postAll(admin, channel, ["d3"]);
    await ws.waitForEvent("message", (e) => e.seq === 3);
    await ws.ping();
    await sleep(100);
    const seqs = ws.loggedEvents(channel).map((e) => e.seq);
    // No duplicate: every seq at most once.
    expect.soft(seqs).toEqual([...new Set(seqs)]);
    expect.soft(ws.messageEvents(channel).filter((e) => e.data.id === live?.id)).toHaveLength(1);
    const users = await api<{ viewers: number }>(server.url, "GET", `/api/channels/${channel}/users`);
    expect.soft(users.body.viewers).toBe(1);
    // Unsubscribing ends delivery.
    const mark = ws.mark();
    ws.send({ op: "unsubscribe", channel });
    await ws.waitForOp("unsubscribed", (f) => f.channel === channel, mark);
    await postAll(admin, channel, ["d4"]);
    await sleep(200);
    expect.soft(ws.messageEvents(channel, mark)).toEqual([]);
    // And once the socket is gone, nothing of it remains.
    ws.close();
    await ws.closed;
    await sleepUntil(
      async () =>
        (await api<{ viewers: number }>(server.url, "GET", `/api/channels/${channel}/users`)).body.viewers === 0,
      1_000,
    );
    expect
      .soft((await api<{ viewers: number }>(server.url, "GET", `/api/channels/${channel}/users`)).body.viewers)
      .toBe(0);
  });

  it("applies frames pipelined on one connection in the order they were sent", async () => {
    const channel = await createChannel(server.url, admin, "pipe");
    const me = await guest(server.url, "piper");
    // auth, subscribe and send written at once, without waiting for answers.
    const ws = track(await WsClient.connect(server.url));
    ws.send({ op: "auth", token: me.token });
    ws.send({ op: "subscribe", channel });
    ws.send({ op: "send", channel, text: "pipelined", nonce: "pipe-1" });
    await ws.waitFor((f) => (f.op === "ack" || f.op === "error") && f.nonce === "pipe-1");
    const ops = ws.frames.filter((f) => f.op !== "event").map((f) => (f.op === "error" ? `error:${f.code}` : f.op));
    expect.soft(ops).toEqual(["auth_ok", "subscribed", "ack"]);
    // subscribe then unsubscribe: the last word is unsubscribe, so nothing is delivered.
    const other = track(await WsClient.connect(server.url));
    other.send({ op: "subscribe", channel });
    other.send({ op: "unsubscribe", channel });
    await other.waitForOp("unsubscribed");
    await other.ping();
    const mark = other.mark();
    await postAll(admin, channel, ["after unsubscribe"]);
    await sleep(200);
    expect
      .soft(other.frames.filter((f) => f.op === "subscribed" || f.op === "unsubscribed").map((f) => f.op))
      .toEqual(["subscribed", "unsubscribed"]);
    expect.soft(other.messageEvents(channel, mark)).toEqual([]);
  });

  it("answers recovered:false when since is beyond the head", async () => {
    const channel = await createChannel(server.url, admin, "beyond");
    await postAll(admin, channel, ["only"]);
    const ws = track(await WsClient.connect(server.url));
    const subscribed = await ws.subscribe(channel, 1_000_000);
    expect(subscribed).toEqual({ op: "subscribed", channel, seq: 1, recovered: false });

    const sse = track(
      await SseClient.open(server.url, `/api/channels/${channel}/events`, { "last-event-id": "1000000" }),
    );
    const first = await sse.waitFor(() => true);
    expect(first.event).toBe("subscribed");
    expect(JSON.parse(first.data)).toMatchObject({ seq: 1, recovered: false });
    // Live events still flow after recovered:false.
    const [next] = await postAll(admin, channel, ["after"]);
    await ws.waitForEvent("message", (e) => e.data.id === next?.id);
    await sse.waitForSeq(2);
  });
});

describe("protocol errors", () => {
  it("answers an unknown channel with not_found (WebSocket) and 404 (SSE)", async () => {
    const ws = track(await WsClient.connect(server.url));
    const mark = ws.mark();
    ws.send({ op: "subscribe", channel: "no_such_channel_x" });
    const error = await ws.waitForOp("error", () => true, mark);
    expect(error.code).toBe("not_found");
    expect(ws.frames.slice(mark).some((f) => f.op === "subscribed")).toBe(false);
    await ws.ping();

    const res = await api(server.url, "GET", "/api/channels/no_such_channel_x/events");
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe("not_found");
  });

  it("answers each malformed frame with an error frame and stays usable", async () => {
    const ws = track(await WsClient.connect(server.url));
    const malformed = [
      "not json",
      "{",
      "[]",
      '[{"op":"ping"}]',
      '"ping"',
      "42",
      "null",
      "{}",
      '{"op":"fly"}',
      '{"op":"PING"}',
      '{"op":"send"}',
      '{"op":"send","channel":"main"}',
      '{"op":"send","channel":"main","text":"hi"}',
      '{"op":"subscribe"}',
      '{"op":"subscribe","channel":123}',
      '{"op":"subscribe","channel":"main","since":-1}',
      '{"op":"auth"}',
      '{"__proto__":{"op":"ping"}}',
      '{"constructor":{"prototype":{"op":"ping"}}}',
      '{"op":"__proto__"}',
      '{"op":"toString"}',
    ];
    for (const raw of malformed) {
      const mark = ws.mark();
      ws.send(raw);
      const error = await ws.waitForOp("error", () => true, mark);
      expect(error.code, raw).toBe("invalid_request");
      expect(typeof error.message, raw).toBe("string");
      await ws.ping();
      expect(ws.isOpen, raw).toBe(true);
    }
    // Binary frames are not part of the protocol either.
    const mark = ws.mark();
    ws.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await ws.waitForOp("error", () => true, mark)).code).toBe("invalid_request");
    await ws.ping();
    // The server runs in this process: nothing reached Object.prototype.
    expect(Object.hasOwn(Object.prototype, "op")).toBe(false);
    expect(({} as Record<string, unknown>)["isAdmin"]).toBeUndefined();
  });

  it("does not let __proto__ keys grant anything on send", async () => {
    const ws = track(await WsClient.connect(server.url));
    const mark = ws.mark();
    ws.send('{"op":"send","channel":"main","text":"sneaky","nonce":"proto1","__proto__":{"isAdmin":true,"ctx":{}}}');
    const error = await ws.waitForOp("error", () => true, mark);
    expect(error).toMatchObject({ code: "unauthorized", nonce: "proto1" });
    expect(({} as Record<string, unknown>)["isAdmin"]).toBeUndefined();
    await ws.ping();
  });

  it("rejects send without auth with unauthorized and the nonce, and writes nothing", async () => {
    const channel = await createChannel(server.url, admin, "noauth");
    const ws = track(await WsClient.connect(server.url));
    await ws.subscribe(channel);
    const reply = await ws.sendMessage(channel, "anonymous words", "anon-nonce-1");
    expect(reply.op).toBe("error");
    expect(reply).toMatchObject({ op: "error", code: "unauthorized", nonce: "anon-nonce-1" });
    expect(await history(server.url, channel)).toEqual([]);
    await ws.ping();
    expect(ws.messageEvents(channel)).toEqual([]);
  });

  it("rejects a bad token in {op:auth} and stays anonymous", async () => {
    const ws = track(await WsClient.connect(server.url));
    const mark = ws.mark();
    ws.send({ op: "auth", token: "not-a-token" });
    expect((await ws.waitForOp("error", () => true, mark)).code).toBe("unauthorized");
    const reply = await ws.sendMessage("main", "still anonymous");
    expect(reply).toMatchObject({ op: "error", code: "unauthorized" });
  });

  it("closes a connection that sends a frame over the payload limit with 1009", async () => {
    const ws = track(await WsClient.connect(server.url));
    ws.send({ op: "ping", pad: "x".repeat(server.config.limits.wsMaxPayloadBytes + 1) });
    const closed = await ws.closed;
    expect(closed.code).toBe(1009);
    // The server is fine.
    const other = track(await WsClient.connect(server.url));
    await other.ping();
  });

  it("answers ping with pong", async () => {
    const ws = track(await WsClient.connect(server.url));
    ws.send({ op: "ping" });
    const pong = await ws.waitForOp("pong");
    expect(pong).toEqual({ op: "pong" });
    expect(ws.raw[0]).toBe('[{"op":"pong"}]');
  });

  it("answers a rejected WebSocket send with the error code and nonce", async () => {
    const me = await guest(server.url, "wsbad");
    const ws = track(await WsClient.authed(server.url, me.token));
    expect(await ws.sendMessage("main", "   ", "blank-1")).toMatchObject({
      op: "error",
      code: "invalid_request",
      nonce: "blank-1",
    });
    expect(await ws.sendMessage("no_such_channel_y", "hi", "nochan-1")).toMatchObject({
      op: "error",
      code: "not_found",
      nonce: "nochan-1",
    });
    await ws.ping();
  });
});

describe("SSE connection life", () => {
  it("sends a heartbeat comment at the configured interval", async () => {
    const sse = track(await SseClient.open(server.url, "/api/channels/main/events"));
    await sse.waitFor((e) => e.event === "subscribed");
    const before = sse.comments;
    await sleepUntil(() => sse.comments >= before + 1, 3_000);
    expect(sse.comments).toBeGreaterThan(before);
    expect(sse.ended).toBe(false);
  });

  it("ends a cookie SSE stream with a reconnect event when its session logs out", async () => {
    const me = await register(server.url, "sseout");
    const sse = track(await SseClient.open(server.url, "/api/channels/main/events", { cookie: me.cookie }));
    await sse.waitFor((e) => e.event === "subscribed");
    const out = await api(server.url, "POST", "/api/auth/logout", { token: me.token });
    expect(out.status).toBe(204);
    const reconnect = await sse.waitFor((e) => e.event === "reconnect");
    expect(JSON.parse(reconnect.data)).toMatchObject({ op: "reconnect", reason: "revoked" });
    await sleepUntil(() => sse.ended, 3_000);
    expect(sse.ended).toBe(true);
  });
});

describe("subscriptions closed while they start", () => {
  // No recent window, so every resume reads the store; and the store answers slowly, as a
  // PostgreSQL server across the network does. The client gives up while its subscription is
  // still backfilling.
  let cold: TestServer;
  beforeAll(async () => {
    cold = await startTestServer({ limits: { recentWindow: 0 } });
    const events = cold.server().services.store.events;
    const range = events.range.bind(events);
    events.range = async (channel, afterSeq, limit) => {
      await sleep(100);
      return range(channel, afterSeq, limit);
    };
  });
  afterAll(async () => {
    await cold?.dispose();
  });

  async function viewers(channel: string): Promise<number> {
    const res = await api<{ viewers: number }>(cold.url, "GET", `/api/channels/${channel}/users`);
    return res.body.viewers;
  }

  async function gauges(): Promise<{ sse: number; ws: number; subscriptions: number }> {
    const text = await (await fetch(`${cold.url}/metrics`)).text();
    const read = (re: RegExp): number => Number(re.exec(text)?.[1] ?? "0");
    return {
      sse: read(/^chorus_connections\{transport="sse"\} (\d+)$/m),
      ws: read(/^chorus_connections\{transport="ws"\} (\d+)$/m),
      subscriptions: read(/^chorus_subscriptions (\d+)$/m),
    };
  }

  it("releases an SSE subscription whose client left during the backfill", async () => {
    const owner = await loginAdmin(cold.url);
    const channel = await createChannel(cold.url, owner, "leak");
    for (const i of range(1, 5)) expect((await postMessage(cold.url, owner, channel, `backlog ${i}`)).status).toBe(201);
    const before = await gauges();
    for (let attempt = 0; attempt < 3; attempt++) {
      const sse = await SseClient.open(cold.url, `/api/channels/${channel}/events?since=0`);
      expect(sse.response.status).toBe(200);
      sse.close();
    }
    await sleep(300);
    // Every one of those clients is gone: nobody may still count as a viewer or subscriber.
    await sleepUntil(async () => (await viewers(channel)) === 0, 2_000);
    expect.soft(await viewers(channel)).toBe(0);
    expect.soft(await gauges()).toEqual(before);
  });

  it("releases a WebSocket subscription whose client left during the backfill", async () => {
    const owner = await loginAdmin(cold.url);
    const channel = await createChannel(cold.url, owner, "leakws");
    for (const i of range(1, 5)) expect((await postMessage(cold.url, owner, channel, `backlog ${i}`)).status).toBe(201);
    const before = await gauges();
    for (let attempt = 0; attempt < 3; attempt++) {
      const ws = await WsClient.connect(cold.url);
      ws.send({ op: "subscribe", channel, since: 0 });
      await sleep(30);
      ws.close();
      await ws.closed;
    }
    await sleep(300);
    await sleepUntil(async () => (await viewers(channel)) === 0, 2_000);
    expect.soft(await viewers(channel)).toBe(0);
    expect.soft(await gauges()).toEqual(before);
  });
});

describe("presence", () => {
  it("sends user_joined, user_left and viewer_count as ephemeral events", async () => {
    const channel = await createChannel(server.url, admin, "pres");
    const watcher = track(await WsClient.connect(server.url));
    await watcher.subscribe(channel);
    const alone = await watcher.waitForEvent(
      "viewer_count",
      (e) => e.data.viewers === 1 && e.data.chatters === 0,
      0,
      3_000,
    );
    expect("seq" in alone).toBe(false);
    const sse = track(await SseClient.open(server.url, `/api/channels/${channel}/events`));
    await sse.waitFor((e) => e.event === "subscribed");

    const visitor = await guest(server.url, "visitor");
    const mark = watcher.mark();
    const other = track(await WsClient.authed(server.url, visitor.token));
    await other.subscribe(channel);
    const joined = await watcher.waitForEvent("user_joined", (e) => e.data.username === visitor.user.username, mark);
    expect(joined.channel).toBe(channel);
    expect("seq" in joined).toBe(false);
    expect(typeof joined.at).toBe("number");
    await watcher.waitForEvent("viewer_count", (e) => e.data.viewers === 3 && e.data.chatters === 1, mark, 3_000);
    // On SSE, ephemeral events carry no id (they cannot be resumed from).
    const sseJoined = await sse.waitFor((e) => e.event === "user_joined");
    expect(sseJoined.id).toBeUndefined();
    expect(JSON.parse(sseJoined.data)).toMatchObject({
      op: "event",
      channel,
      type: "user_joined",
      data: { username: visitor.user.username },
    });
    const sseCount = await sse.waitFor((e) => e.event === "viewer_count");
    expect(sseCount.id).toBeUndefined();
    sse.close();

    const leaveMark = watcher.mark();
    other.close();
    await watcher.waitForEvent("user_left", (e) => e.data.username === visitor.user.username, leaveMark);
    await watcher.waitForEvent("viewer_count", (e) => e.data.viewers === 1 && e.data.chatters === 0, leaveMark, 3_000);
    // Ephemeral events are never logged (no seq consumed) and never replayed.
    const late = track(await WsClient.connect(server.url));
    expect(await late.subscribe(channel, 0)).toMatchObject({ seq: 0, recovered: true });
    await late.ping();
    expect(late.frames.some((f) => f.op === "event" && (f.type === "user_joined" || f.type === "user_left"))).toBe(
      false,
    );
  });
});

describe("shutdown", () => {
  it("sends {op:reconnect} before closing WebSocket and SSE connections", async () => {
    const ws = track(await WsClient.connect(server.url));
    await ws.subscribe("main");
    const sse = track(await SseClient.open(server.url, "/api/channels/main/events"));
    await sse.waitFor((e) => e.event === "subscribed");
    const mark = ws.mark();
    const stopping = server.stop();
    const closed = await ws.closed;
    const reconnect = ws.frames.slice(mark).find((f) => f.op === "reconnect");
    expect(reconnect, JSON.stringify(ws.frames.slice(mark))).toBeDefined();
    expect(reconnect).toMatchObject({ op: "reconnect", reason: "shutdown" });
    expect(typeof (reconnect as { retryAfterMs?: unknown }).retryAfterMs).toBe("number");
    expect(ws.frames.at(-1)?.op).toBe("reconnect");
    expect(closed.code).toBe(4001);
    const sseReconnect = await sse.waitFor((e) => e.event === "reconnect");
    expect(JSON.parse(sseReconnect.data)).toMatchObject({ op: "reconnect", reason: "shutdown" });
    await stopping;
    await server.start();
    expect((await api(server.url, "GET", "/healthz")).status).toBe(200);
  });
});
