/** Test doubles shared by the unit tests: messages, a scripted history, a fake socket. */
import type { ClientFrame, Message, ServerFrame } from "@chorus/protocol";
import type { HistoryPageQuery } from "../src/channel-stream.js";
import type { CloseEventLike, MessageEventLike, WebSocketLike } from "../src/socket.js";

export function message(seq: number, channel = "main"): Message {
  return {
    id: `m${seq}`,
    channel,
    seq,
    text: `message ${seq}`,
    createdAt: 1_700_000_000_000 + seq,
    author: {
      id: "u1",
      username: "ann",
      displayName: "Ann",
      color: "#fff",
      role: "viewer",
      badges: [],
      platform: "chorus",
    },
  };
}

export function messageFrame(seq: number, channel = "main"): ServerFrame {
  return { op: "event", channel, seq, type: "message", at: 1, data: message(seq, channel) };
}

/**
 * A history endpoint over a fixed set of messages, answering like the server does
 * (seq ascending; before/after/limit), and recording the queries it got.
 */
export function fakeHistory(seqs: number[]): {
  fetch: (query: HistoryPageQuery) => Promise<Message[]>;
  queries: HistoryPageQuery[];
} {
  const all = seqs.map((s) => message(s)).sort((a, b) => a.seq - b.seq);
  const queries: HistoryPageQuery[] = [];
  return {
    queries,
    fetch: async (query) => {
      queries.push(query);
      if (query.after !== undefined) {
        const after = query.after;
        return all.filter((m) => m.seq > after).slice(0, query.limit);
      }
      const before = query.before ?? Number.POSITIVE_INFINITY;
      const older = all.filter((m) => m.seq < before);
      return older.slice(Math.max(0, older.length - query.limit));
    },
  };
}

type Listener = (event: never) => void;

/** A WebSocket whose server side the test drives by hand. */
export class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  readonly url: string;
  readonly sent: ClientFrame[] = [];
  closedWith: number | undefined;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(url: string) {
    this.url = url;
    FakeSocket.instances.push(this);
  }

  static latest(): FakeSocket {
    const socket = FakeSocket.instances.at(-1);
    if (!socket) throw new Error("no socket was created");
    return socket;
  }

  addEventListener(type: "open" | "error", listener: () => void): void;
  addEventListener(type: "message", listener: (event: MessageEventLike) => void): void;
  addEventListener(type: "close", listener: (event: CloseEventLike) => void): void;
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("not open");
    this.sent.push(JSON.parse(data) as ClientFrame);
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.serverClose(code);
  }

  terminate(): void {
    this.close(1006);
  }

  // ---- the server's side ----

  accept(): void {
    this.readyState = 1;
    this.fire("open", {});
  }

  push(...frames: ServerFrame[]): void {
    const event: MessageEventLike = { data: JSON.stringify(frames) };
    this.fire("message", event);
  }

  serverClose(code: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    const event: CloseEventLike = { code, reason: "" };
    this.fire("close", event);
  }

  frames<Op extends ClientFrame["op"]>(op: Op): Extract<ClientFrame, { op: Op }>[] {
    return this.sent.filter((f): f is Extract<ClientFrame, { op: Op }> => f.op === op);
  }

  private fire(type: string, event: unknown): void {
    // The overloads above pair each type with its event shape; the test fires matching ones.
    for (const listener of this.listeners.get(type) ?? []) (listener as (event: unknown) => void)(event);
  }
}
