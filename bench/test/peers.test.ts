/**
 * The two `ws` peers of the fan-out benchmark, started as the benchmark starts them (their
 * target definitions spawn the server with tsx) and driven with the Chorus client code of
 * targets/chorus.ts plus a plain ws client: every subscriber must get every message of its
 * channel exactly once and in seq order, or the peers' figures would mean nothing.
 */
import type { ServerFrame } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { connectChorusSubscriber, connectPublisher } from "../src/targets/chorus.js";
import type { RunningTarget, Subscriber, TargetDefinition } from "../src/targets/types.js";
import { wsCeilingTarget } from "../src/targets/ws-ceiling.js";
import { wsNaiveTarget } from "../src/targets/ws-naive.js";

const CHANNELS = ["main", "second"] as const;
const SUBSCRIBERS = 50;
const MESSAGES = 200;
const BURSTS = 4;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A plain ws client that records every frame the server sends, in order. */
class RawClient {
  readonly frames: ServerFrame[] = [];
  readonly messages: number[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const parsed: unknown = JSON.parse(data.toString());
      if (!Array.isArray(parsed)) throw new Error("server message is not an array");
      this.messages.push(parsed.length);
      this.frames.push(...(parsed as ServerFrame[]));
    });
  }

  static open(url: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once("open", () => resolve(new RawClient(ws)));
      ws.once("error", reject);
    });
  }

  send(frame: object): void {
    this.ws.send(JSON.stringify(frame));
  }

  framesOf<Op extends ServerFrame["op"]>(op: Op): Extract<ServerFrame, { op: Op }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { op: Op }> => f.op === op);
  }

  close(): void {
    this.ws.close();
  }
}

interface Recorder {
  channel: string;
  subscribedSeq: number | undefined;
  seqs: number[];
  texts: string[];
  problems: string[];
}

function subscribe(target: RunningTarget, channel: string): Promise<[Recorder, Subscriber]> {
  const rec: Recorder = { channel, subscribedSeq: undefined, seqs: [], texts: [], problems: [] };
  if (target.client.kind !== "chorus") throw new Error("expected a chorus client spec");
  return connectChorusSubscriber(
    { ...target.client, channel },
    {
      subscribed: (seq) => {
        rec.subscribedSeq = seq;
      },
      logged: (seq) => rec.seqs.push(seq),
      message: (text) => rec.texts.push(text),
      problem: (kind) => rec.problems.push(kind),
    },
    10_000,
  ).then((sub) => [rec, sub]);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

describe.each<[string, TargetDefinition]>([
  ["ws-naive", wsNaiveTarget],
  ["ws-ceiling", wsCeilingTarget],
])("%s peer", (name, definition) => {
  let target: RunningTarget;
  const subscribers: Subscriber[] = [];
  const raws: RawClient[] = [];

  beforeAll(async () => {
    target = await definition.start(new AbortController().signal);
  });

  afterAll(async () => {
    for (const sub of subscribers) sub.close();
    for (const raw of raws) raw.close();
    await target?.stop();
  });

  it("delivers every message of a channel to each of its subscribers once, in seq order", async () => {
    const url = target.client.kind === "chorus" ? target.client.url : "";
    const recorders: Recorder[] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const [rec, sub] = await subscribe(target, CHANNELS[i % CHANNELS.length] as string);
      recorders.push(rec);
      subscribers.push(sub);
    }
    expect(recorders.every((r) => r.subscribedSeq === 0)).toBe(true);

    const publisher = await RawClient.open(url);
    raws.push(publisher);
    publisher.send({ op: "auth", token: "whatever" });
    await until("auth_ok", () => publisher.framesOf("auth_ok").length === 1);
    expect(publisher.framesOf("auth_ok")[0]?.user.username).toMatch(/^[a-z0-9_]{3,25}$/);

    // Bursts, so several messages land in one event-loop turn of the server; a subscriber
    // joins between bursts and must see exactly the events after the seq it was told.
    const texts = new Map<string, string[]>(CHANNELS.map((c) => [c, []]));
    let late: [RawClient, string] | undefined;
    for (let burst = 0; burst < BURSTS; burst++) {
      for (let i = 0; i < MESSAGES / BURSTS; i++) {
        const n = burst * (MESSAGES / BURSTS) + i;
        const channel = CHANNELS[n % CHANNELS.length] as string;
        const text = `hello ${n} "quoted" \\ ünïcödé 🎉`;
        texts.get(channel)?.push(text);
        publisher.send({ op: "send", channel, text, nonce: `n${n}` });
      }
      if (burst === 1) {
        const client = await RawClient.open(url);
        raws.push(client);
        client.send({ op: "subscribe", channel: "second" });
        late = [client, "second"];
      }
      await sleep(20);
    }

    await until("all acks", () => publisher.framesOf("ack").length === MESSAGES);
    const acks = publisher.framesOf("ack");
    expect(acks.map((a) => a.nonce)).toEqual(range(0, MESSAGES - 1).map((n) => `n${n}`));
    for (const channel of CHANNELS) {
      const mine = acks.filter((a) => a.message.channel === channel);
      expect(mine.map((a) => a.message.seq)).toEqual(range(1, MESSAGES / CHANNELS.length));
      expect(mine.map((a) => a.message.text)).toEqual(texts.get(channel));
    }
    // The ceiling batches per event-loop turn: a burst of sends cannot come back one ack per
    // message; the naive peer answers each send on its own.
    if (name === "ws-ceiling") expect(publisher.messages.length).toBeLessThan(MESSAGES);
    else expect(publisher.messages.length).toBe(MESSAGES + 1);
    const sample = acks[0]?.message;
    expect(sample).toMatchObject({ channel: "main", seq: 1, author: { platform: "chorus" } });
    expect(typeof sample?.id).toBe("string");
    expect(typeof sample?.createdAt).toBe("number");

    const perChannel = MESSAGES / CHANNELS.length;
    await until("every subscriber has every message", () => recorders.every((r) => r.seqs.length >= perChannel));
    await sleep(100); // anything extra (a duplicate) would arrive by now
    for (const rec of recorders) {
      expect(rec.problems).toEqual([]);
      expect(rec.seqs).toEqual(range(1, perChannel));
      expect(rec.texts).toEqual(texts.get(rec.channel));
    }

    const [client, channel] = late ?? [];
    if (!client || !channel) throw new Error("late subscriber missing");
    const subscribed = client.framesOf("subscribed")[0];
    expect(subscribed).toMatchObject({ op: "subscribed", channel, recovered: true });
    const from = subscribed?.seq ?? -1;
    expect(from).toBeGreaterThanOrEqual(0);
    expect(client.frames[0]?.op).toBe("subscribed");
    const events = client.framesOf("event");
    expect(events.every((e) => e.type === "message" && e.channel === channel)).toBe(true);
    expect(events.map((e) => ("seq" in e ? e.seq : -1))).toEqual(range(from + 1, perChannel));
  });

  it("works with the benchmark's own publisher and answers ping, unsubscribe and bad frames", async () => {
    const url = target.client.kind === "chorus" ? target.client.url : "";
    const [rec, sub] = await subscribe(target, "main");
    subscribers.push(sub);
    const before = rec.subscribedSeq ?? 0;
    const publisher = await connectPublisher(url, "any-token");
    const outcomes: Array<number | string | undefined> = [];
    for (let i = 0; i < 5; i++) {
      publisher.send(`via chorus.ts ${i}`, `c${i}`, (o) => outcomes.push(o.ok ? o.seq : o.code));
    }
    await until("acks", () => outcomes.length === 5);
    expect(outcomes).toEqual(range(before + 1, before + 5));
    await until("events", () => rec.seqs.length === 5);
    expect(rec.texts).toEqual(range(0, 4).map((i) => `via chorus.ts ${i}`));
    publisher.close();

    const client = await RawClient.open(url);
    raws.push(client);
    client.send({ op: "ping" });
    client.send({ op: "subscribe", channel: "third" });
    client.send({ op: "unsubscribe", channel: "third" });
    client.send({ op: "send", channel: "third", text: "x", nonce: "anon" });
    client.send({ op: "nope" });
    await until("replies", () => client.frames.length === 5);
    expect(client.frames.map((f) => f.op)).toEqual(["pong", "subscribed", "unsubscribed", "error", "error"]);
    expect(client.frames[3]).toMatchObject({ code: "unauthorized", nonce: "anon" });
  });

  it("serves /healthz and Prometheus /metrics", async () => {
    const base = (target.client.kind === "chorus" ? target.client.url : "")
      .replace(/^ws:/, "http:")
      .replace(/\/api\/ws$/, "");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/^process_cpu_seconds_total \d/m);
    expect(body).toMatch(/^process_resident_memory_bytes \d/m);
  });
});
