import type { IngestItem } from "@chorus/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConnectorSink, ConnectorStatus } from "../connector.js";
import { YouTubeApiStandin } from "./youtube-api-standin.js";
import {
  DEFAULT_YOUTUBE_API_URL,
  YouTubeConnector,
  type YouTubeConnectorOptions,
  youtubeApiUrl,
} from "./youtube-connector.js";
import type { YouTubeClearTarget } from "./youtube-to-ingest.js";

const VIDEO = "dQw4w9WgXcQ";
const CHAT = "Cg0KC2RRdzR3OVdnWGNRKicKGFVDX3g1WEc1MTI3";
const ADA = { channelId: "UCadaadaadaadaadaadaadaa", displayName: "Ada" };
const MOD = { channelId: "UCmodmodmodmodmodmodmodm", displayName: "Mod", isChatModerator: true };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

type SinkCall =
  | { kind: "messages"; items: IngestItem[] }
  | { kind: "deleted"; externalId: string }
  | { kind: "cleared"; target: YouTubeClearTarget | null };

class RecordingSink implements ConnectorSink {
  readonly calls: SinkCall[] = [];
  inFlight = 0;
  maxInFlight = 0;
  delayMs = 0;
  failures = 0;
  messages(items: IngestItem[]) {
    return this.record({ kind: "messages", items });
  }
  deleted(externalId: string) {
    return this.record({ kind: "deleted", externalId });
  }
  cleared(target: YouTubeClearTarget | null) {
    return this.record({ kind: "cleared", target });
  }
  ids(): string[] {
    return this.calls.flatMap((c) => (c.kind === "messages" ? c.items.map((i) => i.externalId) : []));
  }
  private async record(call: SinkCall): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await sleep(this.delayMs);
      if (this.failures > 0) {
        this.failures--;
        throw new Error("ingest path down");
      }
      this.calls.push(call);
    } finally {
      this.inFlight--;
    }
  }
}

let api: YouTubeApiStandin;
let sink: RecordingSink;
const connectors: YouTubeConnector[] = [];

function connector(options: Partial<YouTubeConnectorOptions> = {}): YouTubeConnector {
  const c = new YouTubeConnector({
    apiUrl: api.apiUrl,
    apiKey: api.apiKey,
    source: VIDEO,
    sink,
    minPollMs: 10,
    backoff: { baseMs: 20, maxMs: 40 },
    quotaBackoff: { baseMs: 80, maxMs: 160 },
    chatRetryMs: 60,
    random: () => 0.5,
    ...options,
  });
  connectors.push(c);
  return c;
}

beforeEach(async () => {
  api = await YouTubeApiStandin.start();
  sink = new RecordingSink();
});

afterEach(async () => {
  await Promise.all(connectors.splice(0).map((c) => c.stop()));
  await api.close();
});

describe("youtubeApiUrl", () => {
  it("takes YOUTUBE_API_URL, else Google's", () => {
    expect(youtubeApiUrl({})).toBe(DEFAULT_YOUTUBE_API_URL);
    expect(youtubeApiUrl({ YOUTUBE_API_URL: "http://127.0.0.1:1/youtube/v3" })).toBe("http://127.0.0.1:1/youtube/v3");
  });
});

describe("YouTubeConnector", () => {
  it("rejects a source that is not an id", () => {
    expect(() => connector({ source: "../videos?x=1" })).toThrow(/not a YouTube/);
  });

  it("resolves the video's live chat, then delivers its messages in order with badges", async () => {
    api.createChat(CHAT, VIDEO);
    api.pushText(CHAT, { ...ADA, isChatSponsor: true }, "first");
    api.pushSuperChat(CHAT, ADA, "$5.00");
    api.pushMilestone(CHAT, ADA, 6, "six months!");
    const statuses: ConnectorStatus[] = [];
    const c = connector();
    c.onStatus((s) => statuses.push(s));
    expect(c.status().state).toBe("stopped");
    c.start();
    expect(c.status().state).toBe("connecting");
    await waitFor(() => sink.ids().length === 3, "the backlog");
    const items = sink.calls.flatMap((call) => (call.kind === "messages" ? call.items : []));
    expect(items.map((i) => [i.text, i.badges])).toEqual([
      ["first", ["member"]],
      ["Super Chat $5.00", ["superchat"]],
      ["six months!", ["member/6"]],
    ]);
    expect(items[0]).toMatchObject({ username: ADA.channelId, displayName: "Ada" });
    expect(c.status().state).toBe("connected");
    expect(c.status().lastMessageAt).not.toBeNull();
    expect(statuses.map((s) => s.state)).toContain("connected");

    const videos = api.requestsTo("videos");
    expect(videos).toHaveLength(1);
    expect(videos[0]?.query).toMatchObject({ id: VIDEO, part: "liveStreamingDetails", key: api.apiKey });
    const polls = api.requestsTo("liveChat/messages");
    expect(polls[0]?.query).toMatchObject({ liveChatId: CHAT, part: "snippet,authorDetails", key: api.apiKey });
    expect(polls[0]?.query["pageToken"]).toBeUndefined();

    // Later messages arrive once, after what came before.
    api.pushText(CHAT, ADA, "second");
    api.pushText(CHAT, ADA, "third");
    await waitFor(() => sink.ids().length === 5, "new messages");
    await sleep(150);
    expect(sink.ids()).toEqual(["msg1", "msg2", "msg3", "msg4", "msg5"]);
  });

  it("follows nextPageToken across pages", async () => {
    api.createChat(CHAT);
    api.pageSize = 2;
    for (const text of ["a", "b", "c", "d", "e"]) api.pushText(CHAT, ADA, text);
    connector({ source: CHAT }).start();
    await waitFor(() => sink.ids().length === 5, "all pages");
    const tokens = api.requestsTo("liveChat/messages").map((r) => r.query["pageToken"]);
    expect(tokens.slice(0, 3)).toEqual([undefined, "p2", "p4"]);
    expect(api.requestsTo("videos")).toHaveLength(0);
  });

  it("waits pollingIntervalMillis between polls, and never less than minPollMs", async () => {
    api.createChat(CHAT);
    api.pollingIntervalMillis = 100;
    connector({ source: CHAT, minPollMs: 10 }).start();
    await sleep(550);
    const slow = api.requestsTo("liveChat/messages").length;
    // 0, 100, …, 500 ms: about 6, certainly not the 50 that minPollMs alone would allow.
    expect(slow).toBeGreaterThanOrEqual(4);
    expect(slow).toBeLessThanOrEqual(7);

    await Promise.all(connectors.splice(0).map((c) => c.stop()));
    api.requests.length = 0;
    api.pollingIntervalMillis = 0;
    connector({ source: CHAT, minPollMs: 100 }).start();
    await sleep(550);
    const floored = api.requestsTo("liveChat/messages").length;
    expect(floored).toBeGreaterThanOrEqual(4);
    expect(floored).toBeLessThanOrEqual(7);
  });

  it("goes to error on quotaExceeded, backs off, then recovers", async () => {
    api.createChat(CHAT);
    api.pushText(CHAT, ADA, "before");
    const c = connector({ source: CHAT });
    c.start();
    await waitFor(() => sink.ids().length === 1, "the first message");
    api.failNext("quotaExceeded", 403, "The request cannot be completed because you have exceeded your quota.");
    await waitFor(() => c.status().state === "error", "the error state");
    expect(c.status().error).toMatch(/quotaExceeded.*retrying in 60 ms/);
    const failedAt = api.requests.at(-1)?.at ?? 0;
    api.pushText(CHAT, ADA, "after");
    await waitFor(() => sink.ids().length === 2, "recovery");
    expect(c.status()).toMatchObject({ state: "connected" });
    expect(c.status().error).toBeUndefined();
    const next = api.requests.find((r) => r.at > failedAt);
    // 3/4 of the quota step (80 ms) with random fixed at 0.5.
    expect((next?.at ?? 0) - failedAt).toBeGreaterThanOrEqual(50);
  });

  it("retries network errors with a growing backoff, then recovers", async () => {
    api.createChat(CHAT);
    api.pushText(CHAT, ADA, "through");
    let failures = 2;
    const attempts: number[] = [];
    const flaky: typeof fetch = (input, init) => {
      attempts.push(Date.now());
      if (failures-- > 0) return Promise.reject(new TypeError("fetch failed"));
      return fetch(input, init);
    };
    const c = connector({ source: CHAT, fetch: flaky });
    const errors: string[] = [];
    c.onStatus((s) => {
      if (s.error) errors.push(s.error);
    });
    c.start();
    await waitFor(() => sink.ids().length === 1, "recovery");
    expect(errors).toEqual(["fetch failed; retrying in 15 ms", "fetch failed; retrying in 30 ms"]);
    expect(c.status().state).toBe("connected");
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect((attempts[2] ?? 0) - (attempts[1] ?? 0)).toBeGreaterThanOrEqual(25);
  });

  it("mirrors deletions and bans in order with the messages", async () => {
    api.createChat(CHAT, VIDEO);
    const c = connector();
    c.start();
    await waitFor(() => c.status().state === "connected", "connected");
    const id = api.pushText(CHAT, ADA, "spam");
    api.pushDeletion(CHAT, MOD, id);
    api.pushBan(CHAT, MOD, ADA.channelId, 300);
    api.pushBan(CHAT, MOD, "UCotherotherotherotherot");
    await waitFor(() => sink.calls.length === 4, "four calls");
    expect(sink.calls).toEqual([
      { kind: "messages", items: [expect.objectContaining({ externalId: id, text: "spam" })] },
      { kind: "deleted", externalId: id },
      { kind: "cleared", target: { login: ADA.channelId, durationSec: 300 } },
      { kind: "cleared", target: { login: "UCotherotherotherotherot" } },
    ]);
  });

  it("keeps going, one sink call at a time, when the sink is slow or fails", async () => {
    api.createChat(CHAT);
    api.pollingIntervalMillis = 10;
    sink.delayMs = 30;
    sink.failures = 1;
    connector({ source: CHAT }).start();
    api.pushText(CHAT, ADA, "lost");
    await sleep(40);
    for (let i = 0; i < 5; i++) {
      api.pushText(CHAT, ADA, `m${i}`);
      await sleep(15);
    }
    await waitFor(() => sink.ids().length === 5, "the rest");
    expect(sink.ids()).toEqual(["msg2", "msg3", "msg4", "msg5", "msg6"]);
    expect(sink.maxInFlight).toBe(1);
  });

  it("stops polling an ended chat and finds the video's next one", async () => {
    api.createChat(CHAT, VIDEO);
    const c = connector();
    c.start();
    await waitFor(() => c.status().state === "connected", "connected");
    api.endChat(CHAT);
    await waitFor(() => c.status().state === "error", "the chat ending");
    expect(c.status().error).toMatch(/chat ended/);
    await waitFor(() => /not live/.test(c.status().error ?? ""), "the video looked up again");
    const pollsAfterEnd = api.requestsTo("liveChat/messages").length;
    await sleep(100);
    expect(api.requestsTo("liveChat/messages")).toHaveLength(pollsAfterEnd);

    const next = `${CHAT}2`;
    api.createChat(next, VIDEO);
    api.pushText(next, ADA, "we're back");
    await waitFor(() => sink.ids().includes("msg1"), "the new chat's message");
    expect(c.status().state).toBe("connected");
    expect(api.requestsTo("liveChat/messages").at(-1)?.query["liveChatId"]).toBe(next);
  });

  it("gives up a chat id source whose chat ended", async () => {
    api.createChat(CHAT);
    const c = connector({ source: CHAT });
    c.start();
    await waitFor(() => c.status().state === "connected", "connected");
    api.endChat(CHAT);
    await waitFor(() => c.status().state === "error", "the end");
    const count = api.requests.length;
    await sleep(150);
    expect(api.requests).toHaveLength(count);
    expect(c.status().error).toMatch(/chat ended; not polling/);
  });

  it("says not live for a video without an active chat, and a bad key", async () => {
    api.videos.set(VIDEO, null);
    const c = connector();
    c.start();
    await waitFor(() => c.status().state === "error", "not live");
    expect(c.status().error).toMatch(/is not live/);
    const bad = connector({ apiKey: "wrong" });
    bad.start();
    await waitFor(() => bad.status().state === "error", "bad key");
    expect(bad.status().error).toMatch(/keyInvalid/);
  });

  it("stop() leaves nothing running, even mid-backoff", async () => {
    api.createChat(CHAT);
    const c = connector({ source: CHAT, quotaBackoff: { baseMs: 10_000, maxMs: 10_000 } });
    c.start();
    await waitFor(() => c.status().state === "connected", "connected");
    api.failNext("quotaExceeded");
    await waitFor(() => c.status().state === "error", "backing off");
    await c.stop();
    expect(c.status().state).toBe("stopped");
    const count = api.requests.length;
    api.pushText(CHAT, ADA, "too late");
    await sleep(100);
    expect(api.requests).toHaveLength(count);
    expect(sink.ids()).toEqual([]);
    c.start(); // ignored after stop
    await sleep(30);
    expect(api.requests).toHaveLength(count);
  });
});
