/**
 * The REST message API: idempotent posting by nonce, history paging, deletion, input
 * validation with stable error codes (and nothing written on rejection), text hygiene,
 * rate limits, and durability across a restart.
 */
import type { Message } from "@chorus/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "./harness.js";
import { api, createChannel, guest, history, postMessage, range, register, type Session, WsClient } from "./helpers.js";
import { postAll as sharedPostAll, useSharedServer } from "./shared-server.js";

let server: TestServer;
let admin: Session;

useSharedServer((s, a) => {
  server = s;
  admin = a;
});

const postAll = (session: Session, channel: string, texts: string[]): Promise<Message[]> =>
  sharedPostAll(server.url, session, channel, texts);

describe("idempotency", () => {
  it("answers a repeated nonce with 200 and the original message, logging it once", async () => {
    const channel = await createChannel(server.url, admin, "nonce");
    const me = await guest(server.url, "noncer");
    const first = await postMessage(server.url, me, channel, "only once", "nonce-abc");
    expect(first.status).toBe(201);
    const second = await postMessage(server.url, me, channel, "only once", "nonce-abc");
    expect(second.status).toBe(200);
    expect(second.body.message.id).toBe(first.body.message.id);
    expect(second.body.message.seq).toBe(first.body.message.seq);
    // Even with a different text, the nonce names the first message.
    const third = await postMessage(server.url, me, channel, "changed my mind", "nonce-abc");
    expect(third.status).toBe(200);
    expect(third.body.message.id).toBe(first.body.message.id);
    expect(third.body.message.text).toBe("only once");
    // The same nonce over WebSocket is the same message too.
    const ws = await WsClient.authed(server.url, me.token);
    try {
      const reply = await ws.sendMessage(channel, "only once", "nonce-abc");
      expect(reply).toMatchObject({ op: "ack", nonce: "nonce-abc", message: { id: first.body.message.id } });
    } finally {
      ws.close();
    }
    const messages = await history(server.url, channel);
    expect(messages.map((m) => m.id)).toEqual([first.body.message.id]);
    // The next message takes the next seq: the duplicates consumed none.
    const [next] = await postAll(me, channel, ["next"]);
    expect(next?.seq).toBe(first.body.message.seq + 1);
  });

  it("answers concurrent posts with one nonce with a single message", async () => {
    const channel = await createChannel(server.url, admin, "nonce2");
    const me = await guest(server.url, "noncer2");
    const results = await Promise.all(
      range(1, 5).map(() => postMessage(server.url, me, channel, "racing", "same-nonce")),
    );
    const ids = new Set(results.map((r) => r.body.message.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(4);
    expect((await history(server.url, channel)).length).toBe(1);
  });

  it("answers a retried nonce with the original message even when the sender is at the rate limit", async () => {
    const channel = await createChannel(server.url, admin, "nonce4");
    const me = await guest(server.url, "retrier");
    const sent: Message[] = [];
    for (const i of range(1, 20)) {
      const res = await postMessage(server.url, me, channel, `m${i}`, `retry-${i}`);
      expect(res.status).toBe(201);
      sent.push(res.body.message);
    }
    // The client lost the answer to its last message and retries it: that is not a new message.
    const retry = await postMessage(server.url, me, channel, "m20", "retry-20");
    expect(retry.body.error).toBeUndefined();
    expect(retry.status).toBe(200);
    expect(retry.body.message.id).toBe(sent[19]?.id);
    expect((await history(server.url, channel)).length).toBe(20);
  });

  it("keeps nonces of different users apart", async () => {
    const channel = await createChannel(server.url, admin, "nonce3");
    const a = await guest(server.url, "na");
    const b = await guest(server.url, "nb");
    const ra = await postMessage(server.url, a, channel, "from a", "shared");
    const rb = await postMessage(server.url, b, channel, "from b", "shared");
    expect(ra.status).toBe(201);
    expect(rb.status).toBe(201);
    expect(rb.body.message.id).not.toBe(ra.body.message.id);
    expect((await history(server.url, channel)).map((m) => m.text)).toEqual(["from a", "from b"]);
  });
});

describe("history", () => {
  it("pages with limit, before and after, always ascending by seq", async () => {
    const channel = await createChannel(server.url, admin, "paging");
    const posted = await postAll(
      admin,
      channel,
      range(1, 12).map((i) => `m${i}`),
    );
    expect(posted.map((m) => m.seq)).toEqual(range(1, 12));
    const seqs = (ms: Message[]): number[] => ms.map((m) => m.seq);

    expect(seqs(await history(server.url, channel))).toEqual(range(1, 12));
    expect(seqs(await history(server.url, channel, "?limit=3"))).toEqual([10, 11, 12]);
    expect(seqs(await history(server.url, channel, "?before=10&limit=3"))).toEqual([7, 8, 9]);
    expect(seqs(await history(server.url, channel, "?before=3&limit=5"))).toEqual([1, 2]);
    expect(seqs(await history(server.url, channel, "?after=2&limit=3"))).toEqual([3, 4, 5]);
    expect(seqs(await history(server.url, channel, "?after=10"))).toEqual([11, 12]);
    expect(seqs(await history(server.url, channel, "?after=12"))).toEqual([]);
    expect(seqs(await history(server.url, channel, "?limit=200"))).toEqual(range(1, 12));
    const full = await history(server.url, channel, "?limit=1");
    expect(full[0]).toEqual(posted[11]);
  });

  it("defaults to the latest 50 messages", async () => {
    const channel = await createChannel(server.url, admin, "deflim");
    await postAll(
      admin,
      channel,
      range(1, 55).map((i) => `m${i}`),
    );
    expect((await history(server.url, channel)).map((m) => m.seq)).toEqual(range(6, 55));
  });

  it("rejects limit > 200 and other bad cursors with 400 invalid_request", async () => {
    for (const query of [
      "?limit=201",
      "?limit=0",
      "?limit=-1",
      "?limit=abc",
      "?before=0",
      "?before=x",
      "?after=-1",
      "?limit=1.5",
    ]) {
      const res = await api(server.url, "GET", `/api/channels/main/messages${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error?.code, query).toBe("invalid_request");
    }
  });

  it("answers history of an unknown channel with 404 not_found", async () => {
    const res = await api(server.url, "GET", "/api/channels/no_such_chan_h/messages");
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe("not_found");
  });
});

describe("deletion", () => {
  it("lets the author delete: message_deleted is emitted and the message leaves history", async () => {
    const channel = await createChannel(server.url, admin, "del");
    const author = await guest(server.url, "author");
    const [keep, gone] = await postAll(author, channel, ["keep me", "delete me"]);
    if (!keep || !gone) throw new Error("posting failed");
    const ws = await WsClient.connect(server.url);
    try {
      await ws.subscribe(channel);
      const res = await api(server.url, "DELETE", `/api/channels/${channel}/messages/${gone.id}`, {
        token: author.token,
      });
      expect(res.status).toBe(204);
      const event = await ws.waitForEvent("message_deleted", (e) => e.data.id === gone.id);
      expect(event.data).toEqual({ id: gone.id, by: author.user.username });
      expect(event.seq).toBe(gone.seq + 1);
    } finally {
      ws.close();
    }
    expect((await history(server.url, channel)).map((m) => m.id)).toEqual([keep.id]);
    // Deleting it again: it is gone.
    const again = await api(server.url, "DELETE", `/api/channels/${channel}/messages/${gone.id}`, {
      token: author.token,
    });
    expect(again.status).toBe(404);
    expect(again.body.error?.code).toBe("not_found");
  });

  it("forbids another non-moderator user to delete (403 forbidden), and lets the admin", async () => {
    const channel = await createChannel(server.url, admin, "del2");
    const author = await guest(server.url, "author2");
    const stranger = await register(server.url, "stranger");
    const [message] = await postAll(author, channel, ["mine"]);
    if (!message) throw new Error("posting failed");
    const res = await api(server.url, "DELETE", `/api/channels/${channel}/messages/${message.id}`, {
      token: stranger.token,
    });
    expect(res.status).toBe(403);
    expect(res.body.error?.code).toBe("forbidden");
    expect((await history(server.url, channel)).map((m) => m.id)).toEqual([message.id]);
    const anonymous = await api(server.url, "DELETE", `/api/channels/${channel}/messages/${message.id}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error?.code).toBe("unauthorized");
    const byAdmin = await api(server.url, "DELETE", `/api/channels/${channel}/messages/${message.id}`, {
      token: admin.token,
    });
    expect(byAdmin.status).toBe(204);
    expect(await history(server.url, channel)).toEqual([]);
  });

  it("answers an unknown message id with 404", async () => {
    const res = await api(server.url, "DELETE", "/api/channels/main/messages/00000000-0000-0000-0000-000000000000", {
      token: admin.token,
    });
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe("not_found");
  });
});

describe("validation", () => {
  let channel: string;
  let me: Session;

  beforeAll(async () => {
    channel = await createChannel(server.url, admin, "valid");
    me = await register(server.url, "validator");
  });

  async function expectRejected(
    body: unknown,
    status: number,
    code: string,
    options: { raw?: string; token?: string | null } = {},
  ): Promise<void> {
    const res = await api(server.url, "POST", `/api/channels/${channel}/messages`, {
      token: options.token === null ? undefined : (options.token ?? me.token),
      ...(options.raw === undefined ? { body } : { raw: options.raw }),
    });
    const label = options.raw === undefined ? JSON.stringify(body).slice(0, 80) : options.raw.slice(0, 80);
    expect(res.status, label).toBe(status);
    expect(res.body.error?.code, label).toBe(code);
    expect(typeof res.body.error?.message, label).toBe("string");
  }

  it("rejects empty, blank and over-long text with 400 and accepts exactly 500 characters", async () => {
    await expectRejected({ text: "" }, 400, "invalid_request");
    await expectRejected({ text: "   " }, 400, "invalid_request");
    await expectRejected({ text: "\u200B\u200B" }, 400, "invalid_request");
    await expectRejected({ text: "\u202E" }, 400, "invalid_request");
    await expectRejected({ text: "a".repeat(501) }, 400, "invalid_request");
    await expectRejected({ text: "😀".repeat(501) }, 400, "invalid_request");
    await expectRejected({}, 400, "invalid_request");
    expect(await history(server.url, channel)).toEqual([]);

    const ok = await postMessage(server.url, me, channel, "a".repeat(500));
    expect(ok.status).toBe(201);
    expect(ok.body.message.text).toHaveLength(500);
    // 500 code points, not 500 UTF-16 units: emoji count once, decomposed accents compose.
    const emoji = await postMessage(server.url, me, channel, "😀".repeat(500));
    expect(emoji.status).toBe(201);
    const accents = await postMessage(server.url, me, channel, "e\u0301".repeat(500));
    expect(accents.status).toBe(201);
    expect(accents.body.message.text).toBe("é".repeat(500));
    // Surrounding whitespace is trimmed before measuring.
    const padded = await postMessage(server.url, me, channel, `  ${"b".repeat(500)}  `);
    expect(padded.status).toBe(201);
    expect(padded.body.message.text).toBe("b".repeat(500));
  });

  it("rejects control characters with 400 and writes nothing", async () => {
    const before = await history(server.url, channel, "?limit=200");
    for (const text of [
      "bell\u0007",
      "nul\u0000byte",
      "esc\u001b[31mred",
      "line\nbreak",
      "tab\there",
      "del\u007f",
      "c1\u0085",
    ]) {
      await expectRejected({ text }, 400, "invalid_request");
    }
    expect(await history(server.url, channel, "?limit=200")).toEqual(before);
  });

  it("rejects non-string text with 400 invalid_request", async () => {
    const before = await history(server.url, channel, "?limit=200");
    // Each case is reported on its own: the body schema must not coerce a number, a boolean
    // or a one-element array into a string.
    for (const text of [123, 12.5, true, null, { a: 1 }, ["hi"], ["hi", "there"]]) {
      const res = await api(server.url, "POST", `/api/channels/${channel}/messages`, {
        token: me.token,
        body: { text },
      });
      expect.soft(res.status, `text: ${JSON.stringify(text)}`).toBe(400);
      expect.soft(res.body.error?.code, `text: ${JSON.stringify(text)}`).toBe("invalid_request");
    }
    expect(await history(server.url, channel, "?limit=200")).toEqual(before);
  });

  it("rejects a body over 8 KiB with 413 and invalid JSON with 400", async () => {
    const before = await history(server.url, channel, "?limit=200");
    await expectRejected(undefined, 413, "payload_too_large", { raw: JSON.stringify({ text: "x".repeat(9 * 1024) }) });
    await expectRejected(undefined, 413, "payload_too_large", {
      raw: JSON.stringify({ text: "ok", pad: "x".repeat(8 * 1024) }),
    });
    await expectRejected(undefined, 400, "invalid_request", { raw: "{not json" });
    await expectRejected(undefined, 400, "invalid_request", { raw: '{"text":"unterminated' });
    await expectRejected(undefined, 400, "invalid_request", { raw: "" });
    expect(await history(server.url, channel, "?limit=200")).toEqual(before);
  });

  it("answers an unknown channel with 404 and no auth with 401", async () => {
    const unknown = await postMessage(server.url, me, "no_such_chan_v", "hello");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe("not_found");
    const before = await history(server.url, channel, "?limit=200");
    await expectRejected({ text: "who am i" }, 401, "unauthorized", { token: null });
    await expectRejected({ text: "forged" }, 401, "unauthorized", { token: "eyJhbGciOiJIUzI1NiJ9.e30.bad" });
    expect(await history(server.url, channel, "?limit=200")).toEqual(before);
  });

  it("consumes no seq for rejected input", async () => {
    const fresh = await createChannel(server.url, admin, "noseq");
    for (const text of ["", "x".repeat(501), "\u0007"]) {
      const res = await postMessage(server.url, me, fresh, text);
      expect(res.status).toBe(400);
    }
    const [first] = await postAll(me, fresh, ["first"]);
    expect(first?.seq).toBe(1);
  });
});

describe("text hygiene", () => {
  it("strips bidi overrides, isolates and zero-width characters from stored text", async () => {
    const channel = await createChannel(server.url, admin, "hyg");
    const me = await guest(server.url, "hyg");
    const res = await postMessage(
      server.url,
      me,
      channel,
      "abc\u202Edef\u202C g\u2066h\u2069i zero\u200Bwidth\uFEFF\u2060 nj\u200Cx",
    );
    expect(res.status).toBe(201);
    const expected = "abcdef ghi zerowidth njx";
    expect(res.body.message.text).toBe(expected);
    const [stored] = await history(server.url, channel);
    expect(stored?.text).toBe(expected);
    expect(stored?.text).not.toMatch(/[\u200B-\u200D\u202A-\u202E\u2066-\u2069\u2060\uFEFF]/);
    // A zero-width joiner inside an emoji sequence is kept.
    const emoji = await postMessage(server.url, me, channel, "👩\u200D💻 and a\u200Db");
    expect(emoji.body.message.text).toBe("👩\u200D💻 and ab");
  });

  it("caps runs of combining marks (zalgo)", async () => {
    const channel = await createChannel(server.url, admin, "zalgo");
    const me = await guest(server.url, "zalgo");
    // Marks without precomposed forms, so NFC cannot fold any of them into a letter.
    const marks = "\u0346\u0347\u0348\u0349\u034A\u034B\u034C\u034D\u034E\u0336".repeat(5);
    const res = await postMessage(server.url, me, channel, `Z${marks}A${marks}L${marks}G${marks}O`);
    expect(res.status).toBe(201);
    const text = res.body.message.text;
    const letters = text.replace(/\p{M}/gu, "");
    expect(letters).toBe("ZALGO");
    for (const run of text.match(/\p{M}+/gu) ?? []) expect([...run].length).toBeLessThanOrEqual(3);
    expect([...text].length).toBeLessThanOrEqual(5 + 4 * 3);
    expect((await history(server.url, channel))[0]?.text).toBe(text);
    // Ordinary accents survive.
    const plain = await postMessage(server.url, me, channel, "naïve café Ångström");
    expect(plain.body.message.text).toBe("naïve café Ångström");
  });
});

describe("rate limits", () => {
  it("answers the 21st message of a guest with 429 rate_limited, Retry-After and retryAfterMs", async () => {
    const channel = await createChannel(server.url, admin, "rate");
    const me = await guest(server.url, "spammer");
    for (const i of range(1, 20)) {
      const res = await postMessage(server.url, me, channel, `msg ${i}`);
      expect(res.status, `message ${i}`).toBe(201);
    }
    const limited = await postMessage(server.url, me, channel, "one too many");
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe("rate_limited");
    const retryAfterMs = limited.body.error?.retryAfterMs;
    expect(typeof retryAfterMs).toBe("number");
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(30_000);
    const header = limited.headers.get("retry-after");
    expect(header).toMatch(/^\d+$/);
    expect(Number(header)).toBeGreaterThanOrEqual(1);
    expect(Number(header)).toBeLessThanOrEqual(30);
    expect(Number(header)).toBe(Math.ceil((retryAfterMs ?? 0) / 1000));
    expect(await history(server.url, channel, "?limit=200")).toHaveLength(20);
    // The same limit holds on WebSocket.
    const ws = await WsClient.authed(server.url, me.token);
    try {
      const reply = await ws.sendMessage(channel, "via socket", "ws-limited");
      expect(reply).toMatchObject({ op: "error", code: "rate_limited", nonce: "ws-limited" });
      expect(reply.op === "error" ? reply.retryAfterMs : undefined).toBeGreaterThan(0);
    } finally {
      ws.close();
    }
    // Another user is not affected.
    const other = await guest(server.url, "calm");
    expect((await postMessage(server.url, other, channel, "hi")).status).toBe(201);
  });

  it("exempts the admin", async () => {
    const channel = await createChannel(server.url, admin, "exempt");
    const results = await Promise.all(range(1, 30).map((i) => postMessage(server.url, admin, channel, `admin ${i}`)));
    for (const r of results) expect(r.status).toBe(201);
    expect(await history(server.url, channel, "?limit=200")).toHaveLength(30);
  });
});

describe("restart", () => {
  it("keeps history across a restart and continues the seq from the previous head", async () => {
    const channel = await createChannel(server.url, admin, "durable");
    const me = await register(server.url, "durable");
    const posted = await postAll(me, channel, ["one", "two", "three"]);
    const del = await api(server.url, "DELETE", `/api/channels/${channel}/messages/${posted[1]?.id}`, {
      token: me.token,
    });
    expect(del.status).toBe(204); // seq 4: message_deleted
    const mainBefore = await postMessage(server.url, admin, "main", "main before restart");
    expect(mainBefore.status).toBe(201);

    const noncePosted = await postMessage(server.url, me, channel, "with nonce", "before-restart");
    expect(noncePosted.status).toBe(201);
    // A deleted channel's seqs are not handed out again when the name is reused.
    const reused = await createChannel(server.url, admin, "reuse");
    await postAll(admin, reused, ["r1", "r2", "r3"]);
    expect((await api(server.url, "DELETE", `/api/channels/${reused}`, { token: admin.token })).status).toBe(204);
    expect(
      (await api(server.url, "POST", "/api/channels", { token: admin.token, body: { name: reused } })).status,
    ).toBe(201);
    const [r4] = await postAll(admin, reused, ["r4"]);
    expect(r4?.seq).toBe(4);

    await server.restart();

    // The nonce is still remembered: a retry after the restart is not a duplicate.
    const retried = await postMessage(server.url, me, channel, "with nonce", "before-restart");
    expect(retried.status).toBe(200);
    expect(retried.body.message.id).toBe(noncePosted.body.message.id);
    const [r5] = await postAll(admin, reused, ["r5"]);
    expect(r5?.seq).toBe(5);

    const after = await history(server.url, channel);
    expect(after.map((m) => m.text)).toEqual(["one", "three", "with nonce"]);
    expect(after).toEqual([posted[0], posted[2], noncePosted.body.message]);
    // Sessions survive too; seq 5 was the nonce message.
    const res = await postMessage(server.url, me, channel, "four");
    expect(res.status).toBe(201);
    expect(res.body.message.seq).toBe(6);
    // A resume across the restart is served from the store.
    const ws = await WsClient.connect(server.url);
    try {
      const subscribed = await ws.subscribe(channel, 0);
      expect(subscribed).toMatchObject({ seq: 6, recovered: true });
      await ws.waitForEvent("message", (e) => e.seq === 6);
      expect(ws.loggedEvents(channel).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      ws.close();
    }
    const next = await postMessage(server.url, admin, "main", "main after restart");
    expect(next.body.message.seq).toBe(mainBefore.body.message.seq + 1);
  });
});
