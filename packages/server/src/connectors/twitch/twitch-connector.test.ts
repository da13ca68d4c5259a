import type { IngestItem } from "@chorus/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import type { ConnectorSink, ConnectorStatus } from "../connector.js";
import {
  backoffDelay,
  type ConnectorLogger,
  DEFAULT_TWITCH_IRC_URL,
  TwitchConnector,
  type TwitchConnectorOptions,
  twitchIrcUrl,
} from "./twitch-connector.js";
import { privmsgLine, TwitchIrcStandin } from "./twitch-irc-standin.js";
import type { ClearTarget } from "./twitch-to-ingest.js";

const CHANNEL = "chorus_test";
/** random() is fixed at 0.5: the nick is justinfan55000 and each retry waits 3/4 of its step. */
const NICK = "justinfan55000";

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
  | { kind: "cleared"; target: ClearTarget };

/** Records every call; can be slow (to see the queue work) and fail on demand. */
class RecordingSink implements ConnectorSink {
  readonly calls: SinkCall[] = [];
  attempts = 0;
  inFlight = 0;
  maxInFlight = 0;
  delayMs = 0;
  failures = 0;

  messages(items: IngestItem[]): Promise<void> {
    return this.record({ kind: "messages", items });
  }
  deleted(externalId: string): Promise<void> {
    return this.record({ kind: "deleted", externalId });
  }
  cleared(target: ClearTarget): Promise<void> {
    return this.record({ kind: "cleared", target });
  }

  /** The ids of the mirrored messages, in order. */
  ids(): string[] {
    return this.calls.flatMap((call) => (call.kind === "messages" ? call.items.map((item) => item.externalId) : []));
  }

  private async record(call: SinkCall): Promise<void> {
    this.attempts++;
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

class RecordingLogger implements ConnectorLogger {
  readonly entries: Array<{ level: string; msg: string; obj: object }> = [];
  info(obj: object, msg: string) {
    this.entries.push({ level: "info", msg, obj });
  }
  warn(obj: object, msg: string) {
    this.entries.push({ level: "warn", msg, obj });
  }
  error(obj: object, msg: string) {
    this.entries.push({ level: "error", msg, obj });
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function standin(options?: Parameters<typeof TwitchIrcStandin.start>[0]): Promise<TwitchIrcStandin> {
  const server = await TwitchIrcStandin.start(options);
  cleanups.push(() => server.close());
  return server;
}

interface Harness {
  connector: TwitchConnector;
  sink: RecordingSink;
  logger: RecordingLogger;
  statuses: ConnectorStatus[];
  states: () => string[];
}

function connector(url: string, options: Partial<TwitchConnectorOptions> = {}): Harness {
  const sink = new RecordingSink();
  const logger = new RecordingLogger();
  const connector = new TwitchConnector({
    url,
    channel: CHANNEL,
    sink,
    logger,
    random: () => 0.5,
    backoff: { baseMs: 20, maxMs: 400, stableMs: 60_000 },
    statusIntervalMs: 0,
    ...options,
  });
  const statuses: ConnectorStatus[] = [];
  connector.onStatus((status) => statuses.push(status));
  cleanups.push(() => connector.stop());
  const states = () => statuses.map((status) => status.state).filter((state, i, all) => state !== all[i - 1]);
  return { connector, sink, logger, statuses, states };
}

const connected = (h: Harness) => () => h.connector.status().state === "connected";

function message(id: string, text: string, tags: Record<string, string> = {}, login = "ronni"): string {
  return privmsgLine({ channel: CHANNEL, login, text, id, tags });
}

/** "…; retrying in 15 ms" → 15 */
function retryDelays(statuses: ConnectorStatus[]): number[] {
  return statuses
    .filter((status) => status.state === "error")
    .map((status) => Number(/retrying in (\d+) ms/.exec(status.error ?? "")?.[1]));
}

describe("TwitchConnector against the Twitch IRC stand-in", () => {
  it("logs in anonymously, joins the channel and reports connecting → connected", async () => {
    const server = await standin();
    const h = connector(server.url, { channel: "#Chorus_Test" });
    expect(h.connector.status()).toEqual({ state: "stopped", lastMessageAt: null });
    h.connector.start();
    await waitFor(connected(h), "connected");
    expect(server.connections).toHaveLength(1);
    expect(server.connections[0]!.lines).toEqual([
      "CAP REQ :twitch.tv/tags twitch.tv/commands",
      "PASS SCHMOOPIIE",
      `NICK ${NICK}`,
      `JOIN #${CHANNEL}`,
    ]);
    expect([...server.connections[0]!.caps]).toEqual(["twitch.tv/tags", "twitch.tv/commands"]);
    expect(h.states()).toEqual(["connecting", "connected"]);
    expect(h.connector.status()).toEqual({ state: "connected", lastMessageAt: null });
  });

  it("mirrors messages in order with their tags: one call per frame, never two calls at once", async () => {
    const server = await standin();
    const h = connector(server.url);
    h.sink.delayMs = 100;
    h.connector.start();
    await waitFor(connected(h), "connected");
    const before = Date.now();
    server.send([
      message("m1", "Kappa hello", {
        "badge-info": "subscriber/14",
        badges: "subscriber/12,vip/1",
        color: "#1E90FF",
        "display-name": "Ronni",
        emotes: "25:0-4",
        "first-msg": "1",
      }),
      message("m2", "\u0001ACTION waves\u0001"),
      message("m3", "@Ronni hi", { "reply-parent-msg-id": "m1" }, "fred"),
    ]);
    // These two arrive while the first call is still running: they wait, then go together.
    server.send(message("m4", "four"));
    server.send(message("m5", "five"));
    // Another channel's line is not this connector's business.
    server.send(privmsgLine({ channel: "elsewhere", login: "x", text: "no", id: "other" }));
    await waitFor(() => h.sink.ids().length === 5, "five messages");
    expect(
      h.sink.calls.map((call) => (call.kind === "messages" ? call.items.map((i) => i.externalId) : call.kind)),
    ).toEqual([
      ["m1", "m2", "m3"],
      ["m4", "m5"],
    ]);
    expect(h.sink.maxInFlight).toBe(1);
    const first = h.sink.calls[0]!.kind === "messages" ? h.sink.calls[0]!.items : [];
    expect(first[0]).toMatchObject({
      externalId: "m1",
      username: "ronni",
      displayName: "Ronni",
      color: "#1E90FF",
      badges: ["subscriber/14", "vip/1"],
      text: "Kappa hello",
      emotes: [
        { name: "Kappa", start: 0, end: 4, url: "https://static-cdn.jtvnw.net/emoticons/v2/25/default/dark/1.0" },
      ],
      firstMessage: true,
    });
    expect(first[1]).toMatchObject({ externalId: "m2", text: "waves", firstMessage: false });
    expect(first[2]).toMatchObject({ externalId: "m3", username: "fred", replyTo: "m1" });
    const lastMessageAt = h.connector.status().lastMessageAt;
    expect(lastMessageAt).toBeGreaterThanOrEqual(before);
    expect(lastMessageAt).toBeLessThanOrEqual(Date.now());
  });

  it("hands deletions and clears to the sink in order with the messages", async () => {
    const server = await standin();
    const h = connector(server.url);
    h.connector.start();
    await waitFor(connected(h), "connected");
    server.send([
      message("a", "first"),
      `@login=ronni;room-id=;target-msg-id=a;tmi-sent-ts=1642720582342 :tmi.twitch.tv CLEARMSG #${CHANNEL} :first`,
      `@ban-duration=350;room-id=12345678;target-user-id=87654321;tmi-sent-ts=1642719320727 :tmi.twitch.tv CLEARCHAT #${CHANNEL} :ronni`,
      `@room-id=12345678;target-user-id=87654321;tmi-sent-ts=1642715756806 :tmi.twitch.tv CLEARCHAT #${CHANNEL} :fred`,
      `@room-id=12345678;tmi-sent-ts=1642715695392 :tmi.twitch.tv CLEARCHAT #${CHANNEL}`,
      message("b", "second"),
    ]);
    await waitFor(() => h.sink.calls.length === 6, "six calls");
    expect(h.sink.calls).toEqual([
      { kind: "messages", items: [expect.objectContaining({ externalId: "a" })] },
      { kind: "deleted", externalId: "a" },
      { kind: "cleared", target: { login: "ronni", durationSec: 350 } },
      { kind: "cleared", target: { login: "fred" } },
      { kind: "cleared", target: null },
      { kind: "messages", items: [expect.objectContaining({ externalId: "b" })] },
    ]);
  });

  it("answers Twitch's PING with the same token", async () => {
    const server = await standin();
    const h = connector(server.url);
    h.connector.start();
    await waitFor(connected(h), "connected");
    expect(server.ping()).toBe(1);
    await waitFor(() => server.received().includes("PONG :tmi.twitch.tv"), "PONG");
    server.send("PING :another-token");
    await waitFor(() => server.received().includes("PONG :another-token"), "second PONG");
  });

  it("reconnects after a dropped connection, joins again and goes on mirroring", async () => {
    const server = await standin();
    const h = connector(server.url);
    h.connector.start();
    await waitFor(connected(h), "connected");
    server.dropAll();
    await waitFor(() => server.connections.length === 2 && connected(h)(), "second connection joined");
    expect(h.states()).toEqual(["connecting", "connected", "error", "connecting", "connected"]);
    const error = h.statuses.find((status) => status.state === "error")?.error;
    expect(error).toMatch(/^connection closed \(1006\); retrying in 15 ms$/);
    expect(server.connections[1]!.lines).toContain(`JOIN #${CHANNEL}`);
    expect(server.connections[1]!.channels.has(`#${CHANNEL}`)).toBe(true);
    server.send(message("after", "still here"));
    await waitFor(() => h.sink.ids().includes("after"), "message after the reconnect");
    expect(h.connector.status().error).toBeUndefined();
  });

  it("reconnects at once on RECONNECT, closes the old connection and joins again", async () => {
    const server = await standin();
    // A backoff this long would fail the wait below: RECONNECT must not go through it.
    const h = connector(server.url, { backoff: { baseMs: 10_000, maxMs: 10_000, stableMs: 60_000 } });
    h.connector.start();
    await waitFor(connected(h), "connected");
    server.reconnect();
    await waitFor(() => server.connections.length === 2 && connected(h)(), "joined on the new connection", 2_000);
    await waitFor(() => !server.connections[0]!.open, "old connection closed");
    expect(server.connections[1]!.lines.at(-1)).toBe(`JOIN #${CHANNEL}`);
    expect(h.states()).toEqual(["connecting", "connected", "connecting", "connected"]);
    server.send(message("r1", "on the new connection"));
    await waitFor(() => h.sink.ids().includes("r1"), "message on the new connection");
  });

  it("PINGs a quiet connection, keeps it while it answers and gives it up when it does not", async () => {
    const server = await standin();
    const h = connector(server.url, { keepalive: { idleMs: 60, pongTimeoutMs: 60 } });
    h.connector.start();
    await waitFor(connected(h), "connected");
    await waitFor(() => server.connections[0]!.lines.filter((line) => line === "PING :chorus").length >= 3, "PINGs");
    expect(server.connections).toHaveLength(1);
    expect(h.connector.status().state).toBe("connected");

    server.answerPings = false;
    await waitFor(() => server.connections.length === 2, "a new connection after the silent one");
    expect(server.connections[0]!.open).toBe(false);
    const error = h.statuses.find((status) => status.state === "error")?.error;
    expect(error).toMatch(/^no answer to PING within 60 ms; retrying in \d+ ms$/);
  });

  it("retries with a growing, capped backoff while the server is down and connects once it is back", async () => {
    const down = await standin();
    const port = down.port;
    await down.close();
    const h = connector(`ws://127.0.0.1:${port}`, { backoff: { baseMs: 20, maxMs: 80, stableMs: 60_000 } });
    h.connector.start();
    await waitFor(() => retryDelays(h.statuses).length >= 4, "four failed attempts");
    // random() = 0.5: 3/4 of 20, 40, 80, then capped at 80.
    expect(retryDelays(h.statuses).slice(0, 4)).toEqual([15, 30, 60, 60]);
    expect(h.connector.status().error).toMatch(/ECONNREFUSED/);

    const server = await standin({ port });
    await waitFor(connected(h), "connected once the server is back");
    expect(server.connections.at(-1)!.lines).toContain(`JOIN #${CHANNEL}`);
  });

  it("starts the backoff over once a connection has held, not before", async () => {
    const down = await standin();
    const port = down.port;
    await down.close();
    const h = connector(`ws://127.0.0.1:${port}`, { backoff: { baseMs: 20, maxMs: 1_000, stableMs: 300 } });
    h.connector.start();
    await waitFor(() => retryDelays(h.statuses).length >= 2, "two failed attempts");
    const server = await standin({ port });
    await waitFor(connected(h), "connected");
    const failedBefore = retryDelays(h.statuses).length;

    server.dropAll(); // at once: the connection did not hold, the backoff goes on growing
    await waitFor(() => retryDelays(h.statuses).length === failedBefore + 1, "a retry");
    expect(retryDelays(h.statuses).at(-1)).toBe(15 * 2 ** failedBefore);
    await waitFor(connected(h), "connected again");

    await sleep(350); // now it has held: the next drop starts from the first step
    server.dropAll();
    await waitFor(() => retryDelays(h.statuses).length === failedBefore + 2, "another retry");
    expect(retryDelays(h.statuses).at(-1)).toBe(15);
  });

  it("gives up a connection not joined in time, and says what Twitch answered", async () => {
    const mute = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => mute.once("listening", resolve));
    const refusing = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => refusing.once("listening", resolve));
    refusing.on("connection", (socket) => {
      socket.send(":tmi.twitch.tv NOTICE * :Login authentication failed\r\n");
      socket.close();
    });
    cleanups.push(async () => {
      for (const server of [mute, refusing]) {
        for (const client of server.clients) client.terminate();
        await new Promise((resolve) => server.close(resolve));
      }
    });
    const portOf = (server: WebSocketServer) => (server.address() as { port: number }).port;

    const silent = connector(`ws://127.0.0.1:${portOf(mute)}`, { connectTimeoutMs: 100 });
    silent.connector.start();
    await waitFor(() => silent.connector.status().state === "error", "error");
    expect(silent.connector.status().error).toMatch(/^not joined to #chorus_test within 100 ms; retrying in \d+ ms$/);

    const refused = connector(`ws://127.0.0.1:${portOf(refusing)}`);
    refused.connector.start();
    await waitFor(() => refused.connector.status().state === "error", "error");
    expect(refused.connector.status().error).toMatch(/^Login authentication failed; retrying in \d+ ms$/);
  });

  it("goes on after the sink throws, and logs it", async () => {
    const server = await standin();
    const h = connector(server.url);
    h.sink.failures = 1;
    h.connector.start();
    await waitFor(connected(h), "connected");
    server.send(message("lost", "the sink fails on this one"));
    await waitFor(() => h.sink.attempts === 1, "first attempt");
    server.send(message("kept", "this one goes through"));
    await waitFor(() => h.sink.ids().includes("kept"), "the next message");
    expect(h.sink.ids()).toEqual(["kept"]);
    expect(h.logger.entries).toContainEqual(
      expect.objectContaining({ level: "error", msg: "twitch connector: the sink failed, going on" }),
    );
    expect(h.connector.status().state).toBe("connected");
  });

  it("tells a new lastMessageAt to listeners at most once per interval, the latest one last", async () => {
    const server = await standin();
    const h = connector(server.url, { statusIntervalMs: 200 });
    h.connector.start();
    await waitFor(connected(h), "connected");
    const seen = h.statuses.length;
    for (let i = 0; i < 10; i++) server.send(message(`t${i}`, "tick"));
    await waitFor(() => h.sink.ids().length === 10, "ten messages");
    await sleep(300);
    const updates = h.statuses.slice(seen);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(2);
    expect(updates.at(-1)!.lastMessageAt).toBe(h.connector.status().lastMessageAt);
  });

  it("stop() closes the connection, leaves nothing running and never reconnects", async () => {
    const server = await standin();
    const h = connector(server.url, { keepalive: { idleMs: 50, pongTimeoutMs: 50 } });
    const handles = () => {
      const kinds = process.getActiveResourcesInfo();
      return {
        timeouts: kinds.filter((kind) => kind === "Timeout").length,
        sockets: kinds.filter((kind) => kind === "TCPSocketWrap").length,
      };
    };
    await sleep(250); // vitest's own short-lived timer of a test's start is gone by then
    const baseline = handles();
    h.connector.start();
    await waitFor(connected(h), "connected");
    // While it runs, its socket (and the stand-in's end of it) and its keepalive timer show.
    expect(handles().sockets).toBeGreaterThanOrEqual(2);
    expect(handles().timeouts).toBeGreaterThan(baseline.timeouts);
    h.sink.delayMs = 100;
    server.send(message("x", "being handed over when stopping"));
    await waitFor(() => h.sink.inFlight === 1, "a sink call in flight");
    server.send(message("y", "read, not handed over yet"));
    await sleep(30); // on loopback, long enough for it to arrive and wait in the queue
    await h.connector.stop();
    // stop() waited for the call in flight; what was still queued is dropped.
    expect(h.sink.inFlight).toBe(0);
    expect(h.sink.ids()).toEqual(["x"]);
    // Resolved: its socket is closed and none of its timers is left.
    expect(handles().timeouts).toBe(baseline.timeouts);
    expect(h.connector.status().state).toBe("stopped");
    expect(h.states().at(-1)).toBe("stopped");
    await waitFor(() => server.open.length === 0, "the server sees the connection closed");
    await sleep(150);
    expect(server.connections).toHaveLength(1);
    expect(handles()).toEqual(baseline);

    h.connector.start(); // stopped for good
    await sleep(100);
    expect(server.connections).toHaveLength(1);
    expect(h.connector.status().state).toBe("stopped");
    await h.connector.stop(); // again: a no-op
  });

  it("stop() while waiting to retry or while connecting ends everything too", async () => {
    const down = await standin();
    const port = down.port;
    await down.close();
    const waiting = connector(`ws://127.0.0.1:${port}`, { backoff: { baseMs: 50, maxMs: 50, stableMs: 60_000 } });
    waiting.connector.start();
    await waitFor(() => waiting.connector.status().state === "error", "error");
    await waiting.connector.stop();
    const server = await standin({ port });
    await sleep(150);
    expect(server.connections).toHaveLength(0);
    expect(waiting.states().at(-1)).toBe("stopped");

    const hasty = connector(server.url);
    hasty.connector.start();
    await hasty.connector.stop();
    await sleep(100);
    expect(server.open).toHaveLength(0);
    expect(hasty.states()).toEqual(["connecting", "stopped"]);
  });
});

describe("TwitchConnector options", () => {
  it("refuses a channel name that is no Twitch login", () => {
    const sink = new RecordingSink();
    expect(() => new TwitchConnector({ url: "ws://x", channel: "bad\r\nQUIT", sink })).toThrow(/channel name/);
    expect(() => new TwitchConnector({ url: "ws://x", channel: "", sink })).toThrow(/channel name/);
    expect(new TwitchConnector({ url: "ws://x", channel: "#Some_One", sink }).channel).toBe("some_one");
  });

  it("reports a malformed URL as an error and keeps retrying", async () => {
    const h = connector("not a url");
    h.connector.start();
    await waitFor(() => retryDelays(h.statuses).length >= 2, "two attempts");
    expect(h.connector.status().error).toMatch(/Invalid URL/);
  });

  it("takes the URL from TWITCH_IRC_URL, else Twitch's", () => {
    expect(twitchIrcUrl({ TWITCH_IRC_URL: "ws://127.0.0.1:1234" })).toBe("ws://127.0.0.1:1234");
    expect(twitchIrcUrl({})).toBe("wss://irc-ws.chat.twitch.tv:443");
    expect(DEFAULT_TWITCH_IRC_URL).toBe("wss://irc-ws.chat.twitch.tv:443");
  });

  it("backoffDelay doubles from the base up to the cap, jittered between half and all of the step", () => {
    const options = { baseMs: 1_000, maxMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options, () => 0.999_999))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect([0, 1, 5].map((attempt) => backoffDelay(attempt, options, () => 0))).toEqual([500, 1_000, 15_000]);
    expect(backoffDelay(10_000, options, () => 0.5)).toBe(22_500);
  });
});
