/**
 * The distributed mode end to end: three node processes on loopback sharing one private
 * redis-server (AOF, appendfsync always) and one fresh PostgreSQL database, started once and
 * reused by every scenario, in this order (later ones change Redis for good):
 *
 * 1. fan-out across nodes (WebSocket and SSE) in one order; 10 concurrent posters on 3 nodes →
 *    identical contiguous seqs everywhere and exactly those messages in PostgreSQL;
 * 2. presence summed over nodes;
 * 3. logout on one node closes the session's socket on another (bus);
 * 4. a persister that dies between read and ack: its entries are claimed and stored once;
 * 5. `kill -9` of a node: SDK clients behind a failover proxy resume on another node;
 * 6. Redis stopped and started again (AOF): 503 while it is away, nothing acknowledged lost;
 * 7. FLUSHALL: no crash, no seq reused, resume across the hole says `recovered:false`.
 *
 * Skipped, loudly, when redis-server or PostgreSQL is missing.
 */

import { ChorusClient, type ConnectionState, type SubscriptionUpdate } from "@chorus/client/node";
import { CLOSE_CODES, type Message } from "@chorus/protocol";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Cluster,
  type ClusterNode,
  clusterAvailable,
  startCluster,
  startFailoverProxy,
} from "./cluster-harness.js";
import {
  api,
  eventually,
  guest,
  history,
  loginAdmin,
  range,
  type Session,
  SseClient,
  sleep,
  WsClient,
} from "./helpers.js";

const available = await clusterAvailable();

const CHANNEL = "main";
const STREAM = `chorus:{c:${CHANNEL}}:stream`;
const SEQ_KEY = `chorus:{c:${CHANNEL}}:seq`;
const DEAD_KEY = `chorus:{c:${CHANNEL}}:dead`;
const GROUP = "persist";

// ---- small tools --------------------------------------------------------------------------

/** Why `seqs` is not exactly `from, from+1, …, to` (empty when it is). */
function sequenceProblems(seqs: readonly number[], from: number, to: number): string[] {
  const problems: string[] = [];
  const seen = new Map<number, number>();
  for (const seq of seqs) seen.set(seq, (seen.get(seq) ?? 0) + 1);
  const missing = range(from, to).filter((s) => !seen.has(s));
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([s]) => s);
  const outside = [...seen.keys()].filter((s) => s < from || s > to);
  const unordered = seqs.some((s, i) => i > 0 && s <= (seqs[i - 1] ?? 0));
  if (missing.length > 0) problems.push(`missing ${missing.length}: ${missing.slice(0, 20).join(",")}`);
  if (duplicated.length > 0) problems.push(`duplicated: ${duplicated.slice(0, 20).join(",")}`);
  if (outside.length > 0) problems.push(`outside ${from}..${to}: ${outside.slice(0, 20).join(",")}`);
  if (unordered) problems.push("not in ascending order");
  return problems;
}

interface PostOutcome {
  status: number;
  code: string | undefined;
  ms: number;
  startedAt: number;
  message: Message | undefined;
}

/** One POST /messages with a hard client-side deadline (status 0 = no answer in time). */
async function post(url: string, session: Session, text: string, nonce?: string): Promise<PostOutcome> {
  const startedAt = Date.now();
  try {
    const res = await api<{ message: Message }>(url, "POST", `/api/channels/${CHANNEL}/messages`, {
      token: session.token,
      body: nonce === undefined ? { text } : { text, nonce },
      timeoutMs: 10_000,
    });
    return {
      status: res.status,
      code: res.body.error?.code,
      ms: Date.now() - startedAt,
      startedAt,
      message: res.status === 201 || res.status === 200 ? res.body.message : undefined,
    };
  } catch {
    return { status: 0, code: "no_answer", ms: Date.now() - startedAt, startedAt, message: undefined };
  }
}

/** Keeps posting (one request at a time) through whichever node `target()` names, until stopped. */
class Publisher {
  readonly outcomes: PostOutcome[] = [];
  private running = true;
  private readonly loop: Promise<void>;
  private n = 0;

  constructor(
    private readonly target: () => string,
    private readonly session: Session,
    private readonly label: string,
    pauseMs = 15,
  ) {
    this.loop = (async () => {
      while (this.running) {
        this.n++;
        this.outcomes.push(await post(this.target(), this.session, `${this.label} ${this.n}`));
        await sleep(pauseMs);
      }
    })();
  }

  get acked(): Message[] {
    return this.outcomes.flatMap((o) => (o.message ? [o.message] : []));
  }

  /** Resolves once `n` more messages have been acknowledged. */
  async waitForAcks(n: number, timeoutMs = 10_000): Promise<void> {
    const target = this.acked.length + n;
    await eventually(() => (this.acked.length >= target ? true : undefined), `${n} acks of ${this.label}`, timeoutMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

/** An SDK client subscribed to `main` that records everything its handler and listeners see. */
class SdkWatcher {
  readonly client: ChorusClient;
  readonly updates: SubscriptionUpdate[] = [];
  readonly states: ConnectionState[] = [];
  resumed = 0;

  constructor(baseUrl: string, since?: number) {
    this.client = new ChorusClient({ baseUrl, reconnect: { baseMs: 100, capMs: 1_000 }, connectTimeoutMs: 3_000 });
    this.client.on("state", (state) => this.states.push(state));
    this.client.on("resumed", () => this.resumed++);
    this.client.subscribe(CHANNEL, (update) => this.updates.push(update), since === undefined ? {} : { since });
  }

  /** Logged events delivered to the handler, in delivery order. */
  get logged(): Array<{ seq: number; type: string; id: string | undefined; fromHistory: boolean }> {
    return this.updates.flatMap((u) =>
      u.kind === "event" && "seq" in u.event && typeof u.event.seq === "number"
        ? [
            {
              seq: u.event.seq,
              type: u.event.type,
              id: u.event.type === "message" ? u.event.data.id : undefined,
              fromHistory: u.fromHistory === true,
            },
          ]
        : [],
    );
  }

  get lastSeq(): number {
    return this.logged.at(-1)?.seq ?? 0;
  }

  get resets(): Array<Extract<SubscriptionUpdate, { kind: "reset" }>> {
    return this.updates.filter((u): u is Extract<SubscriptionUpdate, { kind: "reset" }> => u.kind === "reset");
  }

  async subscribed(): Promise<Extract<SubscriptionUpdate, { kind: "subscribed" }>> {
    return eventually(
      () => this.updates.find((u): u is Extract<SubscriptionUpdate, { kind: "subscribed" }> => u.kind === "subscribed"),
      "SDK subscribed",
    );
  }

  async reaches(seq: number, timeoutMs = 15_000): Promise<void> {
    await eventually(() => (this.lastSeq >= seq ? true : undefined), `SDK client to reach seq ${seq}`, timeoutMs);
  }

  close(): void {
    this.client.close();
  }
}

/** Entry ids out of an XREADGROUP / XRANGE reply (RESP2 shapes). */
function entryIds(reply: unknown): string[] {
  if (!Array.isArray(reply)) return [];
  const first: unknown = reply[0];
  // XREADGROUP: [[key, entries]]; XRANGE: entries.
  const entries: unknown =
    Array.isArray(first) && typeof first[0] === "string" && Array.isArray(first[1]) && first[0] === STREAM
      ? first[1]
      : reply;
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((e: unknown) => (Array.isArray(e) && typeof e[0] === "string" ? [e[0]] : []));
}

/** `[[id, consumer, idleMs, deliveries], …]` of XPENDING's extended form, as objects. */
function pendingOf(reply: unknown): Array<{ id: string; consumer: string; idleMs: number }> {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((row: unknown) =>
    Array.isArray(row) && typeof row[0] === "string" && typeof row[1] === "string"
      ? [{ id: row[0], consumer: row[1], idleMs: Number(row[2]) }]
      : [],
  );
}

describe.skipIf(!available)("cluster: 3 nodes, one Redis (AOF), one PostgreSQL", () => {
  let cluster: Cluster;
  let A: ClusterNode;
  let B: ClusterNode;
  let C: ClusterNode;
  let admin: Session;
  let redis: Redis;
  let db: pg.Client;
  const cleanups: Array<() => unknown> = [];

  function track<T extends { close(): unknown }>(client: T): T {
    cleanups.push(() => client.close());
    return client;
  }

  /** Rows of `main` in PostgreSQL for these message ids: id → seqs stored (more than one = duplicate). */
  async function storedSeqs(ids: readonly string[]): Promise<Map<string, number[]>> {
    const { rows } = await db.query<{ message_id: string; seq: string }>(
      "select message_id, seq from events where channel = $1 and message_id = any($2::text[]) order by seq",
      [CHANNEL, ids],
    );
    const out = new Map<string, number[]>();
    for (const row of rows) out.set(row.message_id, [...(out.get(row.message_id) ?? []), Number(row.seq)]);
    return out;
  }

  /** Waits until every message is in PostgreSQL; then checks each is there once, with its seq. */
  async function expectStoredOnce(messages: readonly Message[], what: string, timeoutMs = 10_000): Promise<void> {
    const ids = messages.map((m) => m.id);
    let stored = new Map<string, number[]>();
    try {
      await eventually(
        async () => {
          stored = await storedSeqs(ids);
          return stored.size === ids.length ? true : undefined;
        },
        `${what}: all ${ids.length} messages in PostgreSQL`,
        timeoutMs,
      );
    } catch {
      // Reported by the assertions below, with the missing ids.
    }
    const missing = messages.filter((m) => !stored.has(m.id)).map((m) => `#${m.seq}`);
    expect(missing, `${what}: acknowledged messages missing from PostgreSQL`).toEqual([]);
    for (const m of messages) expect(stored.get(m.id), `${what}: message #${m.seq} stored once`).toEqual([m.seq]);
  }

  async function statusOf(url: string, path: string): Promise<{ status: number; body: unknown }> {
    try {
      const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5_000) });
      const text = await res.text();
      return { status: res.status, body: text.startsWith("{") ? JSON.parse(text) : text };
    } catch (error) {
      return { status: 0, body: String(error) };
    }
  }

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3, appendonly: true });
    [A, B, C] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    admin = await loginAdmin(A.url);
    redis = new Redis(cluster.redis.url, { protocol: 2, lazyConnect: true, maxRetriesPerRequest: 2 });
    redis.on("error", () => undefined);
    await redis.connect();
    db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
  }, 90_000);

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  afterAll(async () => {
    redis?.disconnect();
    await db?.end().catch(() => undefined);
    await cluster?.dispose();
  });

  it("fans out across nodes in one order; 10 concurrent posters on 3 nodes → identical contiguous seqs and the same PostgreSQL history", async () => {
    const nodes = [A, B, C];
    const subscribers = await Promise.all(nodes.map(async (n) => track(await WsClient.connect(n.url))));
    const heads = await Promise.all(subscribers.map((ws) => ws.subscribe(CHANNEL)));
    const sse = track(await SseClient.open(B.url, `/api/channels/${CHANNEL}/events`));
    await sse.waitFor((e) => e.event === "subscribed", 0, "SSE subscribed");
    const head = Math.max(...heads.map((h) => h.seq));
    expect(heads.map((h) => h.seq)).toEqual([head, head, head]);

    // One message posted on A reaches B and C (and the SSE reader on B).
    const first = await post(A.url, admin, "hello from A");
    expect(first.status).toBe(201);
    const firstMessage = first.message!;
    for (const ws of subscribers) await ws.waitForEvent("message", (e) => e.data.id === firstMessage.id);
    await sse.waitForSeq(firstMessage.seq);

    // 10 posters spread over the nodes, half over WebSocket, half over REST, 15 messages each.
    const posters = await Promise.all(range(0, 9).map((i) => guest(nodes[i % 3]!.url, `poster${i}`)));
    const perPoster = 15;
    const acked = (
      await Promise.all(
        posters.map(async (session, i) => {
          const node = nodes[i % 3]!;
          const out: Message[] = [];
          if (i % 2 === 0) {
            const ws = track(await WsClient.authed(node.url, session.token));
            for (let k = 0; k < perPoster; k++) {
              const frame = await ws.sendMessage(CHANNEL, `ws poster ${i} #${k}`);
              if (frame.op !== "ack") throw new Error(`poster ${i}: ${JSON.stringify(frame)}`);
              out.push(frame.message);
            }
          } else {
            for (let k = 0; k < perPoster; k++) {
              const res = await post(node.url, session, `rest poster ${i} #${k}`);
              if (res.status !== 201) throw new Error(`poster ${i}: ${res.status} ${res.code}`);
              out.push(res.message!);
            }
          }
          return out;
        }),
      )
    ).flat();
    expect(acked).toHaveLength(10 * perPoster);
    const all = [firstMessage, ...acked].sort((a, b) => a.seq - b.seq);
    const last = all.at(-1)!.seq;
    expect(
      sequenceProblems(
        all.map((m) => m.seq),
        head + 1,
        last,
      ),
    ).toEqual([]);

    // Every subscriber on every node: the same contiguous seqs, the same messages in the same order.
    await sse.waitForSeq(last, 10_000);
    const expected = all.map((m) => `${m.seq}:${m.id}`);
    for (const [i, ws] of subscribers.entries()) {
      await ws.waitForEvent("message", (e) => e.seq === last, 0, 10_000);
      const seen = ws.loggedEvents(CHANNEL);
      expect(
        sequenceProblems(
          seen.map((e) => e.seq),
          head + 1,
          last,
        ),
        `WS subscriber on ${nodes[i]!.name}`,
      ).toEqual([]);
      expect(seen.map((e) => `${e.seq}:${e.type === "message" ? e.data.id : e.type}`)).toEqual(expected);
    }
    const sseSeen = sse.logged();
    expect(
      sequenceProblems(
        sseSeen.map((e) => e.id),
        head + 1,
        last,
      ),
      "SSE subscriber",
    ).toEqual([]);
    expect(sseSeen.map((e) => `${e.id}:${e.envelope.type === "message" ? e.envelope.data.id : e.event}`)).toEqual(
      expected,
    );

    // PostgreSQL, read through every node: exactly those messages, once each, in seq order.
    await expectStoredOnce(all, "concurrent posters");
    for (const node of nodes) {
      const page = await history(node.url, CHANNEL, `?after=${head}&limit=200`);
      expect(
        page.map((m) => `${m.seq}:${m.id}`),
        `history through ${node.name}`,
      ).toEqual(expected);
    }
  });

  it("presence: GET /users on A counts the viewers connected to B and C", async () => {
    const users = async (node: ClusterNode) =>
      (
        await api<{ viewers: number; chatters: Array<{ username: string }> }>(
          node.url,
          "GET",
          `/api/channels/${CHANNEL}/users`,
        )
      ).body;
    // Nothing is connected any more: every node's snapshot drops to 0 (published every 2 s).
    await eventually(async () => ((await users(A)).viewers === 0 ? true : undefined), "no viewers", 8_000);

    const onB = await Promise.all(range(1, 2).map(async () => track(await WsClient.connect(B.url))));
    const onC = await Promise.all(range(1, 3).map(async () => track(await WsClient.connect(C.url))));
    const viewer = await guest(C.url, "viewer");
    const signedIn = track(await WsClient.authed(C.url, viewer.token));
    for (const ws of [...onB, ...onC, signedIn]) await ws.subscribe(CHANNEL);
    const watcherOnA = track(await WsClient.connect(A.url));
    await watcherOnA.subscribe(CHANNEL);

    // 2 on B + 4 on C + 1 on A.
    let seen = { viewers: -1, chatters: [] as Array<{ username: string }> };
    await eventually(
      async () => {
        seen = await users(A);
        return seen.viewers === 7 && seen.chatters.some((c) => c.username === viewer.user.username) ? true : undefined;
      },
      "A to count the viewers of B and C",
      8_000,
    ).catch(() => undefined);
    expect(seen.viewers, "viewers seen from A").toBe(7);
    expect(seen.chatters.map((c) => c.username)).toContain(viewer.user.username);
    for (const node of [B, C]) {
      await eventually(
        async () => ((await users(node)).viewers === 7 ? true : undefined),
        `${node.name} counts 7`,
        8_000,
      );
    }
    // The periodic viewer_count event on A carries the cluster-wide number too.
    await watcherOnA.waitForEvent("viewer_count", (e) => e.data.viewers === 7, 0, 8_000);

    // Viewers leaving C are no longer counted on A.
    for (const ws of [...onC, signedIn]) ws.close();
    await eventually(
      async () => ((await users(A)).viewers === 3 ? true : undefined),
      "A to see C's viewers leave",
      8_000,
    );
  });

  it("logout on node A closes that session's WebSocket on node B within 2 s (reconnect frame, then 4003)", async () => {
    const victim = await guest(A.url, "victim");
    const bystander = await guest(A.url, "bystander");
    const onB = track(await WsClient.authed(B.url, victim.token));
    await onB.subscribe(CHANNEL);
    const otherOnB = track(await WsClient.authed(B.url, bystander.token));
    // C has the session cached: the revocation must reach its cache too.
    expect((await api(C.url, "GET", "/api/me", { token: victim.token })).status).toBe(200);

    const mark = onB.mark();
    const startedAt = Date.now();
    const res = await api(A.url, "POST", "/api/auth/logout", { token: victim.token });
    expect(res.status).toBe(204);
    const closed = await Promise.race([onB.closed, sleep(2_000).then(() => null)]);
    const elapsed = Date.now() - startedAt;
    expect(closed, `socket on B still open ${elapsed} ms after logout on A`).not.toBeNull();
    expect(closed?.code).toBe(CLOSE_CODES.revoked);
    expect(closed?.code).toBe(4003);
    expect(elapsed).toBeLessThan(2_000);
    const after = onB.frames.slice(mark);
    expect(after.at(-1)).toMatchObject({ op: "reconnect", reason: "revoked" });

    await eventually(
      async () => ((await api(C.url, "GET", "/api/me", { token: victim.token })).status === 401 ? true : undefined),
      "C to refuse the revoked token",
      2_000,
    );
    // Another session of B is untouched.
    await otherOnB.ping();
    expect(otherOnB.isOpen).toBe(true);
  });

  describe("a persister that dies between read and ack", () => {
    let fake: Redis;

    beforeAll(async () => {
      fake = new Redis(cluster.redis.url, {
        protocol: 2,
        lazyConnect: true,
        connectionName: "chorus-test-fake-persister",
        maxRetriesPerRequest: 2,
      });
      fake.on("error", () => undefined);
      await fake.connect();
    });

    afterAll(() => fake?.disconnect());

    /**
     * Posts one message while the fake consumer is blocked in XREADGROUP `>`: Redis hands the
     * new entry to the blocked reader as part of the append, before any node's persister polls.
     */
    async function postHeldByFake(text: string): Promise<Message> {
      const read = fake.call(
        "XREADGROUP",
        "GROUP",
        GROUP,
        "dead-persister",
        "COUNT",
        "10",
        "BLOCK",
        "5000",
        "STREAMS",
        STREAM,
        ">",
      );
      await eventually(async () => {
        const list = String(await redis.call("CLIENT", "LIST"));
        return list
          .split("\n")
          .some((l) => l.includes("name=chorus-test-fake-persister") && l.includes("cmd=xreadgroup"))
          ? true
          : undefined;
      }, "the fake persister to block in XREADGROUP");
      const res = await post(A.url, admin, text);
      expect(res.status).toBe(201);
      const message = res.message!;
      expect(entryIds(await read), "the fake persister read the new entry").toEqual([`${message.seq}-0`]);
      return message;
    }

    async function pendingOfFake(): Promise<Array<{ id: string; consumer: string; idleMs: number }>> {
      return pendingOf(await redis.call("XPENDING", STREAM, GROUP, "-", "+", "100", "dead-persister"));
    }

    it("another node claims the unacknowledged entries (XAUTOCLAIM) and stores them exactly once", async () => {
      const held: Message[] = [];
      for (let i = 0; i < 5; i++) held.push(await postHeldByFake(`held by a dying persister ${i}`));
      expect((await pendingOfFake()).map((p) => p.id)).toEqual(held.map((m) => `${m.seq}-0`));

      // The fake consumer never acks: after PERSIST_CLAIM_IDLE_MS a live node claims and stores them.
      await expectStoredOnce(held, "claimed entries", 10_000);
      await eventually(async () => ((await pendingOfFake()).length === 0 ? true : undefined), "claimed entries acked");
      expect(await redis.xlen(DEAD_KEY)).toBe(0);
      const page = await history(B.url, CHANNEL, `?after=${held[0]!.seq - 1}&limit=${held.length}`);
      expect(page.map((m) => m.id)).toEqual(held.map((m) => m.id));
    });

    it("entries held by a stalled persister survive until claimed, even while other nodes persist and trim past them", async () => {
      // The stalled persister holds three entries. While it is alive (it keeps claiming them for
      // itself, which keeps them from looking abandoned — as the default 15 s claim delay would)
      // the other nodes store more than the stream's recent window (RECENT_WINDOW = 1000) of
      // newer entries, raising the persisted watermark and trimming the stream behind it.
      const held: Message[] = [];
      for (let i = 0; i < 3; i++) held.push(await postHeldByFake(`held by a stalled persister ${i}`));
      const heldIds = held.map((m) => `${m.seq}-0`);
      let alive = true;
      let lostAt: number | null = null;
      const heartbeat = (async () => {
        while (alive) {
          const kept = await fake
            .call("XCLAIM", STREAM, GROUP, "dead-persister", "0", ...heldIds, "JUSTID")
            .catch(() => heldIds);
          // Fewer ids back: the entries left this consumer's pending list without it acking them.
          if (lostAt === null && Array.isArray(kept) && kept.length < heldIds.length) lostAt = Date.now();
          await sleep(200);
        }
      })();
      const floodStart = Date.now();
      let diagnosis = "";
      try {
        const nodes = [A, B, C];
        const workers = range(0, 23).map(async (w) => {
          const out: Message[] = [];
          for (let k = w; k < 1_250; k += 24) {
            const res = await post(nodes[k % 3]!.url, admin, `flood ${k}`);
            if (res.message) out.push(res.message);
          }
          return out;
        });
        const flood = (await Promise.all(workers)).flat();
        expect(flood).toHaveLength(1_250);
        // The other nodes have stored the flood (and raised the persisted watermark past it).
        await expectStoredOnce(flood.slice(-50), "the flood after the held entries");
        const inStream = entryIds(await redis.xrange(STREAM, heldIds[0]!, heldIds.at(-1)!));
        const pending = (await pendingOfFake()).map((p) => p.id);
        diagnosis =
          `when the holder died: ${inStream.length}/${heldIds.length} still in the stream, ` +
          `${pending.length}/${heldIds.length} still pending` +
          (lostAt === null ? "" : `, dropped from the pending list ${lostAt - floodStart} ms into the flood`);
      } finally {
        alive = false;
        await heartbeat;
      }
      // Now it is dead: a live node claims the held entries and stores them.
      await expectStoredOnce(held, `entries held while the stream moved on (${diagnosis})`, 10_000);
      expect(await redis.xlen(DEAD_KEY)).toBe(0);
    }, 60_000);
  });

  it("kill -9 of a node: SDK clients connected to it fail over to another node with no gap and no duplicate", async () => {
    // Clients reach C through a proxy that falls over to A, then B, when C stops accepting.
    const proxy = await startFailoverProxy([C.port, A.port, B.port]);
    cleanups.push(() => proxy.close());
    const viaProxy = range(1, 3).map(() => track(new SdkWatcher(proxy.url)));
    const direct = track(new SdkWatcher(B.url));
    const watchers = [...viaProxy, direct];
    const heads = await Promise.all(watchers.map((w) => w.subscribed()));
    expect(proxy.routed.get(C.port)).toBe(3);

    const publisher = new Publisher(() => A.url, admin, "during kill -9");
    try {
      await publisher.waitForAcks(30);
      await C.kill();
      expect(C.exit?.signal).toBe("SIGKILL");
      await publisher.waitForAcks(60);
    } finally {
      await publisher.stop();
    }
    const failures = publisher.outcomes.filter((o) => o.status !== 201);
    expect(failures, "posts through A while C died").toEqual([]);
    const acked = publisher.acked;
    const last = acked.at(-1)!.seq;
    const head = Math.min(...heads.map((h) => h.seq));
    expect(
      sequenceProblems(
        acked.map((m) => m.seq),
        head + 1,
        last,
      ),
    ).toEqual([]);

    for (const [i, w] of watchers.entries()) {
      const who = i < viaProxy.length ? `SDK client ${i} (was on C)` : "SDK client on B";
      await w.reaches(last);
      const seen = w.logged;
      expect(
        sequenceProblems(
          seen.map((e) => e.seq),
          head + 1,
          last,
        ),
        who,
      ).toEqual([]);
      expect(
        seen.map((e) => e.id),
        who,
      ).toEqual(acked.map((m) => m.id));
      expect(
        seen.filter((e) => e.fromHistory),
        `${who}: nothing had to be patched from REST history`,
      ).toEqual([]);
      expect(w.resets, `${who}: no reset`).toEqual([]);
    }
    for (const w of viaProxy) {
      expect(w.states).toContain("reconnecting");
      expect(w.states.at(-1)).toBe("open");
      expect(w.resumed).toBeGreaterThanOrEqual(1);
    }
    expect(proxy.routed.get(A.port) ?? 0, "reconnections went to A").toBeGreaterThanOrEqual(3);

    // Whatever C's persister had read but not acknowledged is claimed by A or B.
    await expectStoredOnce(acked, "messages posted while C died");

    // A replacement for C (new consumer name) for the scenarios that follow.
    await C.start({ nodeId: "node-c-2" });
  }, 60_000);

  it("Redis stopped and started again (AOF): 503 while away, /readyz says redis down, nodes recover, nothing acknowledged lost", async () => {
    const nodes = [A, B, C];
    const subscribers = await Promise.all(nodes.map(async (n) => track(await WsClient.connect(n.url))));
    const heads = await Promise.all(subscribers.map((ws) => ws.subscribe(CHANNEL)));
    const head = Math.min(...heads.map((h) => h.seq));
    const sdk = track(new SdkWatcher(C.url));
    await sdk.subscribed();
    const poster = await guest(B.url, "outage");
    const posterWs = track(await WsClient.authed(B.url, poster.token));

    const publisher = new Publisher(() => A.url, admin, "around the outage");
    const during: Record<string, { status: number; code: string | undefined; ms: number }> = {};
    const ready: Record<string, { status: number; body: unknown }> = {};
    const health: Record<string, number> = {};
    let wsDuring: { op: string; code: string | undefined; ms: number } | null = null;
    let downFor = 0;
    try {
      await publisher.waitForAcks(30);
      await cluster.redis.stop();
      const downAt = Date.now();
      await sleep(300);
      for (const n of nodes) {
        ready[n.name] = await statusOf(n.url, "/readyz");
        health[n.name] = (await statusOf(n.url, "/healthz")).status;
        const plain = await post(n.url, admin, `outage plain ${n.name}`);
        during[`admin on ${n.name}`] = plain;
        const withNonce = await post(n.url, admin, `outage nonce ${n.name}`, `outage-nonce-${n.name}`);
        during[`admin with nonce on ${n.name}`] = withNonce;
        during[`guest on ${n.name}`] = await post(n.url, poster, `outage guest ${n.name}`);
      }
      const t = Date.now();
      try {
        const frame = await posterWs.sendMessage(CHANNEL, "outage over websocket");
        wsDuring = { op: frame.op, code: frame.op === "error" ? frame.code : undefined, ms: Date.now() - t };
      } catch (error) {
        wsDuring = { op: "no answer", code: String(error), ms: Date.now() - t };
      }
      await sleep(Math.max(0, 1_500 - (Date.now() - downAt)));
      downFor = Date.now() - downAt;
    } finally {
      await cluster.redis.start();
    }
    let recovered = true;
    try {
      for (const n of nodes) {
        await eventually(
          async () => ((await statusOf(n.url, "/readyz")).status === 200 ? true : undefined),
          `${n.name} ready again`,
          20_000,
        );
      }
      const before = publisher.acked.length;
      await eventually(() => (publisher.acked.length > before + 20 ? true : undefined), "posts succeed again", 20_000);
    } catch {
      recovered = false;
    } finally {
      await publisher.stop();
    }

    // While Redis was away (about `downFor` ms).
    for (const n of nodes) {
      expect.soft(ready[n.name]?.status, `/readyz on ${n.name} during the outage`).toBe(503);
      expect
        .soft(ready[n.name]?.body, `/readyz on ${n.name}`)
        .toMatchObject({ ready: false, checks: { redis: "down" } });
      expect.soft(health[n.name], `/healthz on ${n.name}`).toBe(200);
    }
    for (const [what, outcome] of Object.entries(during)) {
      expect.soft({ status: outcome.status, code: outcome.code }, `${what} during the outage`).toEqual({
        status: 503,
        code: "unavailable",
      });
      expect.soft(outcome.ms, `${what}: answered within 5 s`).toBeLessThan(5_000);
    }
    expect.soft(wsDuring, "WebSocket send during the outage").toMatchObject({ op: "error", code: "unavailable" });
    expect.soft(wsDuring?.ms ?? Number.POSITIVE_INFINITY).toBeLessThan(5_000);
    const publisherDuring = publisher.outcomes.filter((o) => o.status !== 201);
    expect.soft(publisherDuring.length, `publisher saw the outage (${downFor} ms)`).toBeGreaterThan(0);
    expect
      .soft(
        publisherDuring.filter((o) => o.status !== 503 || o.code !== "unavailable" || o.ms >= 5_000),
        "publisher: every failed post is a prompt 503 unavailable",
      )
      .toEqual([]);
    expect(recovered, "every node ready again and posts succeed without a restart").toBe(true);

    // Nothing acknowledged is lost: PostgreSQL has each acked message once.
    const acked = publisher.acked;
    const last = acked.at(-1)!.seq;
    await expectStoredOnce(acked, "messages acked around the Redis restart", 15_000);

    // Subscribers stayed connected and saw every seq once, in order (AOF kept the counter).
    for (const [i, ws] of subscribers.entries()) {
      await ws.waitForEvent("message", (e) => e.seq >= last, 0, 15_000);
      const seqs = ws.loggedEvents(CHANNEL).map((e) => e.seq);
      const top = seqs.at(-1) ?? 0;
      expect(sequenceProblems(seqs, head + 1, top), `WS subscriber on ${nodes[i]!.name}`).toEqual([]);
      const ids = new Set(ws.messageEvents(CHANNEL).map((e) => e.data.id));
      expect(
        acked.filter((m) => !ids.has(m.id)).map((m) => m.seq),
        `acked messages missing on ${nodes[i]!.name}`,
      ).toEqual([]);
    }
    await sdk.reaches(last);
    expect(
      sequenceProblems(
        sdk.logged.map((e) => e.seq),
        sdk.logged[0]!.seq,
        sdk.lastSeq,
      ),
      "SDK client",
    ).toEqual([]);
    expect(
      sdk.logged.filter((e) => e.fromHistory),
      "SDK client: no gap to patch from REST",
    ).toEqual([]);
    expect(sdk.resets).toEqual([]);
  }, 90_000);

  describe("FLUSHALL mid-stream", () => {
    let before: { counter: number; cursor: number; nonceMessage: Message };
    let after: Message[] = [];
    let flushedAt = 0;

    it("nodes keep running and answering; messages after the flush get seqs above every seq handed out before", async () => {
      const liveOnB = track(await WsClient.connect(B.url));
      await liveOnB.subscribe(CHANNEL);
      const returning = track(new SdkWatcher(C.url));
      const nonceMessage = (await post(A.url, admin, "posted with a nonce before the flush", "flush-nonce-1")).message!;
      expect(nonceMessage).toBeDefined();
      // The nonce's message is in PostgreSQL (with its dedup key) before Redis loses everything.
      await expectStoredOnce([nonceMessage], "the message with a nonce, before the flush");
      const publisher = new Publisher(() => B.url, admin, "around the flush", 10);
      let counter = 0;
      try {
        await publisher.waitForAcks(20);
        await returning.reaches(publisher.acked.at(-1)!.seq);
        // The returning SDK client leaves before the flush, remembering where it was.
        returning.close();
        // The counter and the flush in one transaction: nothing can be handed out in between.
        const replies = await redis.multi().get(SEQ_KEY).flushall().exec();
        expect(replies?.[1]).toEqual([null, "OK"]);
        const seqBefore = replies?.[0]?.[1];
        flushedAt = Date.now();
        counter = Number(seqBefore);
        await publisher.waitForAcks(30, 15_000).catch(() => undefined);
        // The nodes are still alive and answer, over a few seconds.
        for (let i = 0; i < 3; i++) {
          for (const n of [A, B, C]) {
            expect(n.alive, `${n.name} still running`).toBe(true);
            expect((await statusOf(n.url, "/healthz")).status, `${n.name} /healthz`).toBe(200);
          }
          await sleep(300);
        }
      } finally {
        await publisher.stop();
      }
      const returningCursor = returning.lastSeq;
      before = { counter, cursor: returningCursor, nonceMessage };
      expect(counter).toBeGreaterThanOrEqual(returningCursor);

      // No seq reused: every acknowledged message has a seq of its own.
      const bySeq = new Map<number, string>();
      for (const m of publisher.acked) {
        expect(bySeq.get(m.seq) ?? m.id, `seq ${m.seq} given to two messages`).toBe(m.id);
        bySeq.set(m.seq, m.id);
      }
      // Posts sent after the flush: acknowledged, with seqs strictly above the counter at the flush.
      after = publisher.outcomes.filter((o) => o.startedAt > flushedAt && o.message).map((o) => o.message!);
      expect(after.length, "posts acknowledged after the flush").toBeGreaterThanOrEqual(10);
      expect(
        after.filter((m) => m.seq <= counter).map((m) => m.seq),
        `seqs at or below ${counter} reused`,
      ).toEqual([]);
      expect(
        publisher.outcomes.filter((o) => o.startedAt > flushedAt + 2_000 && o.status !== 201).map((o) => o.status),
        "posts fail only briefly after the flush",
      ).toEqual([]);
      for (const n of [A, B, C]) expect((await statusOf(n.url, "/readyz")).status, `${n.name} /readyz`).toBe(200);

      // The live subscriber on B kept receiving, in ascending seq order, without duplicates.
      const top = after.at(-1)!.seq;
      await liveOnB.waitForEvent("message", (e) => e.seq >= top, 0, 10_000);
      const seqs = liveOnB.loggedEvents(CHANNEL).map((e) => e.seq);
      expect(seqs.every((s, i) => i === 0 || s > (seqs[i - 1] ?? 0))).toBe(true);
      const ids = new Set(liveOnB.messageEvents(CHANNEL).map((e) => e.data.id));
      expect(
        after.filter((m) => !ids.has(m.id)).map((m) => m.seq),
        "post-flush messages missing on B",
      ).toEqual([]);
    }, 60_000);

    it("messages acknowledged after the flush reach PostgreSQL, once each", async () => {
      expect(after.length).toBeGreaterThan(0);
      const registered = await redis.smembers("chorus:channels");
      const inStream = await redis.xlen(STREAM);
      await expectStoredOnce(
        after,
        `messages acked after the flush (channels registered for the persisters: [${registered.join(",")}]; ` +
          `${inStream} entries waiting in the stream)`,
        10_000,
      );
    }, 20_000);

    it("a client resuming from before the flush gets recovered:false and reloads the latest page via REST", async () => {
      expect(after.length).toBeGreaterThan(0);
      const newest = after.at(-1)!;
      // Raw WebSocket: the subscribed frame.
      const ws = track(await WsClient.connect(A.url));
      const subscribed = await ws.subscribe(CHANNEL, before.cursor);
      expect(subscribed.recovered, `resume from ${before.cursor} across the flush`).toBe(false);
      expect(subscribed.seq).toBeGreaterThanOrEqual(newest.seq);
      // REST reload of the latest page ends with the newest message.
      const page = await history(A.url, CHANNEL, `?before=${subscribed.seq + 1}&limit=50`);
      expect(page.at(-1)?.id, "the reloaded page ends with the newest message").toBe(newest.id);

      // The SDK does the same by itself: a `reset` whose messages end with the newest one.
      const sdk = track(new SdkWatcher(C.url, before.cursor));
      const reset = await eventually(() => sdk.resets[0], "SDK reset");
      expect(sdk.updates.find((u) => u.kind === "subscribed")).toMatchObject({ recovered: false });
      expect(reset.error).toBeUndefined();
      expect(reset.seq).toBeGreaterThanOrEqual(newest.seq);
      expect(reset.messages.at(-1)?.id, "the SDK's reloaded page ends with the newest message").toBe(newest.id);
    }, 20_000);

    it("a nonce retried after the flush is answered with the original message, not stored twice", async () => {
      const retry = await post(C.url, admin, "posted with a nonce before the flush", "flush-nonce-1");
      expect(retry.status, "a repeated nonce answers 200").toBe(200);
      expect(retry.message?.id).toBe(before.nonceMessage.id);
      const { rows } = await db.query<{ n: string }>(
        "select count(*) as n from events where channel = $1 and dedup_key like $2",
        [CHANNEL, `%:flush-nonce-1`],
      );
      expect(Number(rows[0]?.n)).toBe(1);
    });

    it("every node is still up after the flush", async () => {
      for (const n of [A, B, C]) {
        expect(n.alive, `${n.name} running; it said:\n${n.output()}`).toBe(true);
        expect(n.exit).toBeNull();
        expect((await statusOf(n.url, "/readyz")).status).toBe(200);
      }
    });
  });
});
