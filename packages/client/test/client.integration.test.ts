/**
 * The SDK against a real server (embedded store in a temp dir, random port): join, send with
 * ack, ordering across clients, resume after a lost connection and after a server restart,
 * send retried across a reconnect, and the REST fallback after `recovered:false`.
 */
import type { ClientFrame, Message } from "@chorus/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket as WsSocket } from "ws";
import { startTestServer, TEST_ADMIN, type TestServer } from "../../server/test/harness.js";
import type { ResumedInfo, SubscriptionUpdate, WebSocketConstructor, WebSocketLike } from "../src/node.js";
import { ChorusClient, MessageHeldError } from "../src/node.js";

let server: TestServer;
let owner: ChorusClient;
const clients: ChorusClient[] = [];
const run = Date.now().toString(36).slice(-5);
let names = 0;

/** A fresh, valid name (users and channels share the pattern ^[a-z0-9_]{3,25}$). */
function name(prefix: string): string {
  return `${prefix}_${run}_${names++}`;
}

function newClient(options: { WebSocket?: WebSocketConstructor } = {}): ChorusClient {
  const client = new ChorusClient({ baseUrl: server.url, reconnect: { baseMs: 50, capMs: 250 }, ...options });
  clients.push(client);
  return client;
}

async function guest(options: { WebSocket?: WebSocketConstructor } = {}): Promise<ChorusClient> {
  const client = newClient(options);
  await client.guest({ username: name("g") });
  return client;
}

async function newChannel(): Promise<string> {
  return (await owner.createChannel({ name: name("ch") })).name;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Everything one subscription handler saw. */
function recorder() {
  const updates: SubscriptionUpdate[] = [];
  const messages = (): Message[] =>
    updates.flatMap((u) => (u.kind === "event" && u.event.type === "message" ? [u.event.data] : []));
  const seqs = (): number[] => updates.flatMap((u) => (u.kind === "event" && "seq" in u.event ? [u.event.seq] : []));
  const subscribedCount = () => updates.filter((u) => u.kind === "subscribed").length;
  return { updates, messages, seqs, subscribedCount, handler: (u: SubscriptionUpdate) => updates.push(u) };
}

function expectContiguous(seqs: number[]): void {
  expect(seqs.length).toBeGreaterThan(0);
  const first = seqs[0] ?? 0;
  expect(seqs).toEqual(seqs.map((_, i) => first + i));
}

/**
 * A network the test can break: `ws` sockets behind a switch. Offline, new sockets fail at
 * once; `cutAll()` kills live ones without a close handshake; `cutOn` swallows the first
 * server message it matches and kills that socket, as if the connection died just before
 * that message arrived.
 */
class Network {
  offline = false;
  cuts = 0;
  cutOn: ((raw: string) => boolean) | undefined;
  readonly sent: ClientFrame[] = [];
  readonly sockets = new Set<FlakySocket>();
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    const network = this;
    this.WebSocket = class extends FlakySocket {
      constructor(url: string) {
        super(url, network);
      }
    };
  }

  cutAll(): void {
    for (const socket of this.sockets) socket.terminate();
  }
}

type Listener = (event: never) => void;

class FlakySocket implements WebSocketLike {
  private readonly inner: WsSocket | undefined;
  private readonly listeners = new Map<string, Listener[]>();
  private readonly network: Network;

  constructor(url: string, network: Network) {
    this.network = network;
    if (network.offline) {
      setTimeout(() => this.fire("close", { code: 1006, reason: "offline" }), 5);
      return;
    }
    const inner = new WsSocket(url);
    this.inner = inner;
    network.sockets.add(this);
    inner.addEventListener("open", () => this.fire("open", {}));
    inner.addEventListener("error", () => this.fire("error", {}));
    inner.addEventListener("close", (event) => {
      network.sockets.delete(this);
      this.fire("close", { code: event.code, reason: event.reason });
    });
    inner.addEventListener("message", (event) => {
      const raw = String(event.data);
      if (network.cutOn?.(raw)) {
        network.cutOn = undefined;
        network.cuts++;
        inner.terminate();
        return;
      }
      this.fire("message", { data: raw });
    });
  }

  get readyState(): number {
    return this.inner?.readyState ?? 3;
  }

  send(data: string): void {
    this.network.sent.push(JSON.parse(data) as ClientFrame);
    this.inner?.send(data);
  }

  close(code?: number, reason?: string): void {
    this.inner?.close(code, reason);
  }

  terminate(): void {
    this.inner?.terminate();
  }

  addEventListener(type: "open" | "error", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { readonly code: number; readonly reason: string }) => void): void;
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  private fire(type: string, event: unknown): void {
    // The overloads pair each type with its event shape, and fire() is called accordingly.
    for (const listener of this.listeners.get(type) ?? []) (listener as (event: unknown) => void)(event);
  }
}

beforeAll(async () => {
  server = await startTestServer();
  owner = new ChorusClient({ baseUrl: server.url });
  // The admin may create channels and is exempt from per-user rate limits.
  await owner.login(TEST_ADMIN);
}, 60_000);

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

afterAll(async () => {
  owner?.close();
  await server?.dispose();
});

describe("@chorus/client against the server", () => {
  it("joins as a guest, sends with an ack and receives its own message event", async () => {
    const client = await guest();
    const me = await client.me();
    expect(me.isGuest).toBe(true);
    const rec = recorder();
    client.subscribe("main", rec.handler);
    await waitFor(() => rec.subscribedCount() > 0, "subscribed");
    expect(client.state).toBe("open");
    const text = `hello ${name("t")}`;
    const sent = await client.send("main", text);
    expect(sent).toMatchObject({ channel: "main", text, author: { username: me.username } });
    await waitFor(() => rec.messages().some((m) => m.id === sent.id), "own message event");
    const own = rec.messages().find((m) => m.id === sent.id);
    expect(own?.seq).toBe(sent.seq);
    expect(rec.seqs().filter((s) => s === sent.seq)).toHaveLength(1);
  });

  it("a message held for review over WebSocket: submit resolves held with its id, send rejects with MessageHeldError", async () => {
    const channel = await newChannel();
    await owner.updateChannel(channel, { settings: { blockedTerms: [{ term: "spoiler", action: "hold" }] } });
    const client = await guest();
    const held = await client.submit(channel, "huge spoiler ahead");
    expect(held).toMatchObject({ held: true, id: expect.any(String) });
    await expect(client.send(channel, "another spoiler")).rejects.toBeInstanceOf(MessageHeldError);
    expect(await client.submit(channel, "fine")).toMatchObject({ held: false, message: { text: "fine" } });
  });

  it("gives two clients the same contiguous sequence", async () => {
    const channel = await newChannel();
    const [a, b] = [await guest(), await guest()];
    const ra = recorder();
    const rb = recorder();
    a.subscribe(channel, ra.handler);
    b.subscribe(channel, rb.handler);
    await waitFor(() => ra.subscribedCount() > 0 && rb.subscribedCount() > 0, "both subscribed");
    const sends: Promise<Message>[] = [];
    for (let i = 0; i < 8; i++) sends.push(a.send(channel, `a${i}`), b.send(channel, `b${i}`));
    const acked = await Promise.all(sends);
    await waitFor(() => ra.seqs().length >= 16 && rb.seqs().length >= 16, "16 events on both");
    expect(ra.seqs()).toEqual(rb.seqs());
    expectContiguous(ra.seqs());
    expect(ra.messages().map((m) => m.id)).toEqual(rb.messages().map((m) => m.id));
    expect(new Set(ra.messages().map((m) => m.id))).toEqual(new Set(acked.map((m) => m.id)));
  });

  it("resumes after a lost connection with exactly the missed events", async () => {
    const channel = await newChannel();
    const network = new Network();
    const reader = await guest({ WebSocket: network.WebSocket });
    const writer = await guest();
    const rec = recorder();
    const resumed: ResumedInfo[] = [];
    reader.on("resumed", (info) => resumed.push(info));
    reader.subscribe(channel, rec.handler);
    await waitFor(() => rec.subscribedCount() > 0, "subscribed");
    for (let i = 0; i < 3; i++) await writer.send(channel, `before ${i}`);
    await waitFor(() => rec.seqs().length === 3, "3 live events");

    network.offline = true;
    network.cutAll();
    await waitFor(() => reader.state === "reconnecting", "reconnecting");
    const missed: Message[] = [];
    for (let i = 0; i < 5; i++) missed.push(await writer.send(channel, `while away ${i}`));
    network.offline = false;

    await waitFor(() => resumed.length > 0, "resumed");
    expect(resumed[0]?.missed).toBe(5);
    expect(resumed[0]?.channels).toEqual([
      { channel, fromSeq: missed[0]?.seq, toSeq: missed[4]?.seq, missed: 5, recovered: true },
    ]);
    await writer.send(channel, "after");
    await waitFor(() => rec.seqs().length >= 9, "9 events");
    expect(rec.seqs()).toHaveLength(9);
    expectContiguous(rec.seqs());
    expect(
      rec
        .messages()
        .slice(3, 8)
        .map((m) => m.id),
    ).toEqual(missed.map((m) => m.id));
    expect(rec.subscribedCount()).toBe(2);
  });

  it("resumes across a server restart without losing or repeating a seq", async () => {
    const channel = await newChannel();
    const reader = await guest();
    const writer = await guest();
    const rec = recorder();
    const states: string[] = [];
    reader.on("state", (s) => states.push(s));
    reader.subscribe(channel, rec.handler);
    await waitFor(() => rec.subscribedCount() > 0, "subscribed");
    const before = await writer.send(channel, "before restart");
    await waitFor(() => rec.seqs().includes(before.seq), "event before restart");

    await server.restart();
    const after = await writer.send(channel, "after restart");
    expect(after.seq).toBe(before.seq + 1);
    await waitFor(() => rec.seqs().includes(after.seq), "event after restart");
    expect(states).toContain("reconnecting");
    expect(rec.seqs()).toEqual([before.seq, after.seq]);
  });

  it("sends again after a reconnect and the server keeps one message (nonce)", async () => {
    const channel = await newChannel();
    const network = new Network();
    const client = await guest({ WebSocket: network.WebSocket });
    const rec = recorder();
    client.subscribe(channel, rec.handler);
    await waitFor(() => rec.subscribedCount() > 0, "subscribed");
    // Lose the connection exactly when the ack would have arrived: the message is stored,
    // the client does not know it.
    network.cutOn = (raw) => raw.includes('"op":"ack"');
    const text = `once ${name("t")}`;
    const message = await client.send(channel, text);

    expect(network.cuts).toBe(1);
    const sendFrames = network.sent.filter((f) => f.op === "send" && f.text === text);
    expect(sendFrames).toHaveLength(2);
    expect(new Set(sendFrames.map((f) => (f.op === "send" ? f.nonce : "")))).toHaveProperty("size", 1);
    await waitFor(() => rec.messages().some((m) => m.id === message.id), "the message event");
    expect(rec.messages().filter((m) => m.text === text)).toHaveLength(1);
    const history = await client.history({ channel });
    expect(history.filter((m) => m.text === text).map((m) => m.id)).toEqual([message.id]);
  });

  it("falls back to REST history when the server cannot resume (recovered:false)", async () => {
    const channel = await newChannel();
    const posted: Message[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await owner.postMessage(channel, `old ${i}`);
      if (result.held) throw new Error("unexpectedly held");
      posted.push(result.message);
    }
    const head = posted[2]?.seq ?? 0;
    const client = await guest();
    const rec = recorder();
    client.subscribe(channel, rec.handler, { since: 1_000_000_000 });
    await waitFor(() => rec.updates.some((u) => u.kind === "reset"), "reset");
    expect(rec.updates[0]).toEqual({ kind: "subscribed", channel, seq: head, recovered: false });
    const reset = rec.updates.find((u) => u.kind === "reset");
    expect(reset?.kind === "reset" ? reset.seq : undefined).toBe(head);
    expect(reset?.kind === "reset" ? reset.messages.map((m) => m.id) : []).toEqual(posted.map((m) => m.id));

    const next = await owner.postMessage(channel, "new");
    if (next.held) throw new Error("unexpectedly held");
    await waitFor(() => rec.seqs().length > 0, "live event after the reset");
    expect(rec.seqs()).toEqual([head + 1]);
    expect(next.message.seq).toBe(head + 1);
  });
});
