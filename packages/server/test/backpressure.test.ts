/**
 * Backpressure and reconnect storms over real sockets (docs/architecture.md invariants 4 and 5):
 * - a few readers that stop reading are closed as slow consumers (reconnect + 4008) while
 *   everyone else keeps receiving every message, and they resume by seq without gap;
 * - 2,000 SDK clients that lose the server at once all come back, by seq, with nothing
 *   missing or doubled, while the restarted server keeps answering /healthz.
 *
 * Figures (cut points, recovery times, latencies, RSS) are printed for the record.
 */
import net from "node:net";
import { ChorusClient } from "@chorus/client/node";
import type { Message, ServerFrame } from "@chorus/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestServer, type TestServer } from "./harness.js";
import { api, createChannel, eventually, loginAdmin, range, type Session, sleep, wsUrl } from "./helpers.js";

const QUEUE_LIMIT = 64 * 1024;

let server: TestServer;
let admin: Session;

beforeAll(async () => {
  server = await startTestServer({
    limits: {
      // A small queue, so that a reader that stops reading overflows it quickly…
      connectionQueueMaxBytes: QUEUE_LIMIT,
      // …and a replay window wide enough for it to resume everything it missed by seq.
      maxReplayEvents: 20_000,
      recentWindow: 20_000,
    },
  });
  admin = await loginAdmin(server.url);
});

afterAll(async () => {
  await server?.dispose();
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = new RegExp(`^${name} (\\d+)$`, "m").exec(text);
  if (!match) throw new Error(`metric ${name} not found`);
  return Number(match[1]);
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * A lean WebSocket reader: keeps the seqs of one channel's message events and the control
 * frames, not the payloads (50 readers of a 5 MB stream would otherwise weigh on the RSS
 * measured here). Its TCP socket can be paused, as a client that stops reading would.
 */
class Reader {
  readonly seqs: number[] = [];
  readonly control: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly socket: WebSocket;
  private tcp: net.Socket | undefined;
  private waiters = new Set<() => void>();

  private constructor(readonly channel: string) {
    this.socket = new WebSocket(wsUrl(server.url), {
      // The default connector, keeping a handle on the TCP socket to pause it.
      createConnection: ((options: net.TcpNetConnectOpts) => {
        this.tcp = net.connect({ host: options.host, port: options.port });
        return this.tcp;
      }) as typeof net.createConnection,
    });
    this.socket.on("message", (data) => {
      for (const frame of JSON.parse(data.toString()) as ServerFrame[]) {
        if (frame.op === "event") {
          if (frame.type === "message" && frame.channel === channel) this.seqs.push(frame.seq);
        } else this.control.push(frame);
      }
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      this.socket.on("close", (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      });
    });
  }

  /** Opens a connection and subscribes (from `since`, if given); resolves on `subscribed`. */
  static async open(channel: string, since?: number): Promise<Reader> {
    const reader = new Reader(channel);
    await new Promise<void>((resolve, reject) => {
      reader.socket.once("open", () => resolve());
      reader.socket.once("error", reject);
    });
    reader.socket.send(
      JSON.stringify(since === undefined ? { op: "subscribe", channel } : { op: "subscribe", channel, since }),
    );
    await reader.until(() => reader.control.some((f) => f.op === "subscribed"), "subscribed", 10_000, true);
    return reader;
  }

  get lastSeq(): number {
    return this.seqs.at(-1) ?? 0;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  pause(): void {
    this.tcp?.pause();
  }

  resume(): void {
    this.tcp?.resume();
  }

  /**
   * Waits for `condition`; with `failOnClose`, a close first is a failure that says what the
   * server sent.
   */
  until(condition: () => boolean, what: string, timeoutMs: number, failOnClose = false): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (condition()) finish(resolve);
        else if (failOnClose && this.socket.readyState === WebSocket.CLOSED)
          finish(() => reject(new Error(`closed while waiting for ${what}: ${this.describe()}`)));
      };
      const timer = setTimeout(
        () =>
          finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${this.describe()}`))),
        timeoutMs,
      );
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  describe(): string {
    return `seqs ${this.seqs[0] ?? "-"}…${this.lastSeq} (${this.seqs.length}), control frames ${JSON.stringify(this.control).slice(0, 500)}`;
  }

  close(): void {
    this.socket.terminate();
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}

/** Sends `count` messages through one SDK connection, at most `window` awaiting their ack. */
async function publish(publisher: ChorusClient, channel: string, count: number, text: (i: number) => string) {
  const messages: Message[] = [];
  const inFlight = new Set<Promise<void>>();
  for (let i = 1; i <= count; i++) {
    const sent = publisher.send(channel, text(i)).then((m) => {
      messages.push(m);
      inFlight.delete(sent);
    });
    inFlight.add(sent);
    if (inFlight.size >= 20) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return messages.sort((a, b) => a.seq - b.seq);
}

describe("slow consumers", () => {
  const readers: Reader[] = [];
  afterEach(() => {
    for (const reader of readers.splice(0)) reader.close();
  });

  it("closes the readers that stop reading with reconnect + 4008; the others get everything; the slow ones resume by seq", {
    timeout: 90_000,
  }, async () => {
    const READERS = 50;
    const SLOW = 5;
    // 400-character messages, ~0.7 KB on the wire each. Loopback TCP buffers alone hold
    // ~3.5 MB for a reader that does not read (measured here: a paused reader was cut after
    // ~5,000 of these), so the stream must be longer than that to overflow the 64 KB queue.
    const TOTAL = 8_000;
    const channel = await createChannel(server.url, admin, "slow");
    for (let i = 0; i < READERS; i++) readers.push(await Reader.open(channel));
    const slow = readers.slice(0, SLOW);
    const fast = readers.slice(SLOW);
    for (const reader of slow) reader.pause();
    const slowBefore = await metric("chorus_slow_consumer_disconnects_total");
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const rssSampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 100);

    // Once the server has given up on all of them, the slow readers read again: what is
    // still in flight to them ends with the reconnect frame and close 4008 (unless the
    // server's 2 s close grace ran out first: then the connection is just cut, 1006).
    let resumedReadingAt = 0;
    const watcher = (async () => {
      const deadline = performance.now() + 60_000;
      while ((await metric("chorus_slow_consumer_disconnects_total")) - slowBefore < SLOW) {
        if (performance.now() > deadline) break;
        await sleep(50);
      }
      resumedReadingAt = performance.now();
      for (const reader of slow) reader.resume();
    })();

    const publisher = new ChorusClient({ baseUrl: server.url, token: admin.token });
    const started = performance.now();
    let published: Message[];
    try {
      published = await publish(publisher, channel, TOTAL, (i) => `${i} ${"lorem ipsum ".repeat(40)}`.slice(0, 400));
    } finally {
      publisher.close();
    }
    const publishedMs = performance.now() - started;
    const expected = published.map((m) => m.seq);
    expect(expected).toEqual(range(1, TOTAL));

    // Every reader that kept reading has every message, once, in order, and is still open.
    await Promise.all(fast.map((r) => r.until(() => r.lastSeq >= TOTAL, `seq ${TOTAL}`, 30_000, true)));
    for (const reader of fast) {
      expect(reader.seqs).toEqual(expected);
      expect(reader.isOpen, reader.describe()).toBe(true);
    }

    // Each slow one was closed by the server, after a contiguous prefix of the stream.
    await watcher;
    expect((await metric("chorus_slow_consumer_disconnects_total")) - slowBefore).toBe(SLOW);
    const closes = await Promise.all(slow.map((r) => r.closed));
    const cutAt: number[] = [];
    for (const [i, reader] of slow.entries()) {
      const close = closes[i];
      const reconnect = reader.control.find((f) => f.op === "reconnect");
      if (reconnect) {
        expect(reconnect).toMatchObject({ op: "reconnect", reason: "slow_consumer" });
        expect(close?.code, reader.describe()).toBe(4008);
      } else {
        expect(close?.code, reader.describe()).toBe(1006);
      }
      expect(reader.seqs, reader.describe()).toEqual(range(1, reader.lastSeq));
      expect(reader.lastSeq).toBeLessThan(TOTAL);
      cutAt.push(reader.lastSeq);
    }
    expect((await metric("chorus_slow_consumer_disconnects_total")) - slowBefore).toBe(SLOW);

    clearInterval(rssSampler);
    console.info(
      `slow consumers: ${TOTAL} messages to ${READERS} readers in ${(publishedMs / 1000).toFixed(1)} s; ` +
        `slow ones cut after seqs ${cutAt.join(", ")}, closed with ${closes.map((c) => c.code).join(", ")} ` +
        `(reading again ${((resumedReadingAt - started) / 1000).toFixed(1)} s in); ` +
        `RSS ${mb(rssBefore)} → peak ${mb(rssPeak)} (server and readers share this process)`,
    );
    // A coarse guard: the closes above are the precise proof that queues are bounded. The
    // stream is ~5.6 MB per reader; what this catches is a copy of it per subscriber per tick,
    // or a server that keeps what it could not write.
    expect(rssPeak - rssBefore).toBeLessThan(200_000_000);

    // They come back with since = the last seq they have and get the rest: no gap, no duplicate.
    await Promise.all(
      slow.map(async (old, i) => {
        const failures: string[] = [];
        const seqs = [...old.seqs];
        // A client retries a closed resume from where it got to; one that is closed again
        // and again without progress never catches up.
        for (let attempt = 0; attempt < 3; attempt++) {
          const reader = await Reader.open(channel, seqs.at(-1)).catch((error: unknown) => {
            failures.push(String(error));
            return undefined;
          });
          if (reader) {
            readers.push(reader);
            const done = await reader
              .until(() => reader.lastSeq >= TOTAL, `seq ${TOTAL}`, 20_000, true)
              .then(
                () => true,
                (error: unknown) => {
                  failures.push(String(error));
                  return false;
                },
              );
            seqs.push(...reader.seqs);
            reader.close();
            if (done) break;
          }
          await sleep(1_000);
        }
        expect(
          failures,
          `slow reader ${i}, cut after seq ${old.lastSeq}, resuming ${TOTAL - old.lastSeq} missed events`,
        ).toEqual([]);
        expect(seqs).toEqual(expected);
      }),
    );
  });
});

describe("reconnect storm", () => {
  it("brings 2,000 SDK clients back after a server restart, by seq, while /healthz answers", {
    timeout: 90_000,
  }, async () => {
    const CLIENTS = 2_000;
    const channel = await createChannel(server.url, admin, "storm");
    interface Tracked {
      client: ChorusClient;
      first: number | undefined;
      last: number;
      count: number;
      /** Logged events out of order: a skipped seq (gap) or one seen again (duplicate). */
      disorder: string[];
      fromHistory: number;
      resets: number;
      resumed: number;
      /** When its first `resumed` came: back, resubscribed and caught up after the drop. */
      resumedAt: number;
      subscribed: boolean;
    }
    const tracked: Tracked[] = [];
    const connectStart = performance.now();
    for (let i = 0; i < CLIENTS; i++) {
      const client = new ChorusClient({ baseUrl: server.url });
      const t: Tracked = {
        client,
        first: undefined,
        last: 0,
        count: 0,
        disorder: [],
        fromHistory: 0,
        resets: 0,
        resumed: 0,
        resumedAt: 0,
        subscribed: false,
      };
      client.on("resumed", () => {
        t.resumed++;
        t.resumedAt ||= performance.now();
      });
      client.subscribe(channel, (update) => {
        if (update.kind === "subscribed") t.subscribed = true;
        else if (update.kind === "reset") t.resets++;
        else if (update.kind === "event" && update.event.type === "message") {
          const seq = update.event.seq;
          if (update.fromHistory) t.fromHistory++;
          if (t.first === undefined) t.first = seq;
          else if (seq !== t.last + 1) t.disorder.push(`${seq} after ${t.last}`);
          t.last = seq;
          t.count++;
        }
      });
      tracked.push(t);
    }
    const publisher = new ChorusClient({ baseUrl: server.url, token: admin.token });
    let publishing = true;
    let probing = true;
    try {
      await eventually(
        () => (tracked.every((t) => t.subscribed) ? true : undefined),
        `${CLIENTS} subscriptions`,
        30_000,
      );
      const connectedMs = performance.now() - connectStart;

      // A modest, steady flow: 20 messages/s from one SDK connection, through the restart
      // (sends made while the server is down go out again, same nonce, once it is back).
      const acks: Array<Promise<Message>> = [];
      const flow = (async () => {
        for (let i = 1; publishing; i++) {
          acks.push(publisher.send(channel, `storm ${i}`));
          await sleep(50);
        }
      })();
      await sleep(2_000);

      // The storm: every connection drops at once (shutdown: reconnect frame, then close),
      // and the server comes back on the same port and data dir.
      const drop = performance.now();
      await server.stop();
      const stoppedMs = performance.now() - drop;
      await server.start();
      const upMs = performance.now() - drop;

      // /healthz while the clients pour back in.
      const health: number[] = [];
      const healthFailures: string[] = [];
      const prober = (async () => {
        while (probing) {
          const t0 = performance.now();
          const outcome = await api(server.url, "GET", "/healthz", { timeoutMs: 10_000 }).then(
            (res) => res.status,
            (error: unknown) => String(error),
          );
          if (outcome === 200) health.push(performance.now() - t0);
          else healthFailures.push(`${String(outcome)} after ${(performance.now() - t0).toFixed(0)} ms`);
          await sleep(100);
        }
      })();

      await sleep(3_000);
      publishing = false;
      await flow;
      const stopMs = performance.now() - drop;
      const messages = await Promise.all(acks);
      const last = Math.max(...messages.map((m) => m.seq));
      expect(messages.map((m) => m.seq).sort((a, b) => a - b)).toEqual(range(1, last));

      const behind = (): Tracked[] => tracked.filter((t) => t.last < last || t.client.state !== "open");
      await eventually(
        () => (behind().length === 0 ? true : undefined),
        `all ${CLIENTS} clients at seq ${last}`,
        Math.max(1_000, 30_000 - (performance.now() - drop)),
      ).catch((error: unknown) => {
        const lagging = behind();
        throw new Error(
          `${String(error)}: ${lagging.length} behind, e.g. ${JSON.stringify(
            lagging.slice(0, 3).map((t) => ({ state: t.client.state, last: t.last, resumed: t.resumed })),
          )}`,
        );
      });
      const recoveredMs = performance.now() - drop;
      probing = false;
      await prober;

      const firsts = new Set(tracked.map((t) => t.first));
      const backMs = Math.max(...tracked.map((t) => t.resumedAt)) - drop;
      console.info(
        `reconnect storm: ${CLIENTS} clients subscribed in ${(connectedMs / 1000).toFixed(1)} s; ` +
          `server down ${(stoppedMs / 1000).toFixed(1)} s + up again ${((upMs - stoppedMs) / 1000).toFixed(1)} s; ` +
          `all resubscribed and caught up ${(backMs / 1000).toFixed(1)} s after the drop; ` +
          `publishing stopped ${(stopMs / 1000).toFixed(1)} s after it and all had its last seq ${last} at ${(recoveredMs / 1000).toFixed(1)} s; ` +
          `/healthz ${health.length} probes, max ${Math.max(...health).toFixed(0)} ms`,
      );
      for (const t of tracked) {
        expect(t.disorder).toEqual([]);
        expect(t.count).toBe(last - (t.first ?? 1) + 1);
        expect(t.fromHistory).toBe(0);
        expect(t.resets).toBe(0);
        expect(t.resumed).toBeGreaterThanOrEqual(1);
        expect(t.resumedAt).toBeGreaterThan(drop);
      }
      // Every client was subscribed before the first message: each has all of them.
      expect([...firsts]).toEqual([1]);
      expect(backMs).toBeLessThan(30_000);
      expect(recoveredMs).toBeLessThan(30_000);
      expect(healthFailures).toEqual([]);
      expect(health.length).toBeGreaterThan(0);
      expect(Math.max(...health)).toBeLessThan(5_000);
    } finally {
      publishing = false;
      probing = false;
      publisher.close();
      for (const t of tracked) t.client.close();
    }
  });
});
