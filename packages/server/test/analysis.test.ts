/**
 * Live analysis through the real server: sentiment on every message (the same in the ack, the
 * live event and the history), the `stats` event and `GET /stats`, summaries exactly every
 * `summaryEvery` messages (held, rejected and deleted ones never in them), and chat spikes as
 * highlights of the live broadcast.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChannelStats, Highlight, Message } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import {
  api,
  createChannel,
  eventually,
  guest,
  history,
  postMessage,
  register,
  type Session,
  sleep,
  WsClient,
} from "./helpers.js";

type SummaryEntry = { seq: number; at: number; text: string; fromSeq: number; toSeq: number };

describe("live analysis", () => {
  let server: TestServer;
  let owner: Session;
  const chatters: Session[] = [];
  let turn = 0;
  /** Posts as the next of several chatters (each has a per-user rate limit). */
  const say = async (channel: string, text: string): Promise<Message> => {
    const who = chatters[turn++ % chatters.length] as Session;
    const res = await postMessage(server.url, who, channel, text);
    expect(res.status, res.text).toBe(201);
    return res.body.message;
  };
  const settings = async (channel: string, patch: object): Promise<void> => {
    const res = await api(server.url, "PATCH", `/api/channels/${channel}`, {
      token: owner.token,
      body: { settings: patch },
    });
    expect(res.status, res.text).toBe(200);
  };

  beforeAll(async () => {
    server = await startTestServer({
      analysis: {
        enabled: true,
        statsIntervalMs: 200,
        spikeBucketMs: 400,
        leaderRetryMs: 200,
      },
    });
    owner = await register(server.url, "owner");
    for (let i = 0; i < 6; i++) chatters.push(await register(server.url, "chatter"));
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it("gives every message one sentiment: in the ack, the live event and the history", async () => {
    const channel = await createChannel(server.url, owner, "senti");
    const ws = await WsClient.connect(server.url);
    await ws.subscribe(channel);
    const happy = await say(channel, "PogChamp this stream is amazing, love it!");
    const sad = await say(channel, "this is so boring and terrible ResidentSleeper");
    expect(happy.sentiment?.label).toBe("positive");
    expect(sad.sentiment?.label).toBe("negative");
    const live = await ws.waitForEvent("message", (e) => e.data.id === sad.id);
    expect(live.data.sentiment).toEqual(sad.sentiment);
    const stored = await history(server.url, channel);
    expect(stored.find((m) => m.id === happy.id)?.sentiment).toEqual(happy.sentiment);
    ws.close();
  });

  it("reads the channel's own emotes as the owner says they feel", async () => {
    const channel = await createChannel(server.url, owner, "emotes");
    // Names that say nothing by themselves (the analyser reads "…Hype" or "…Rage" endings).
    expect((await say(channel, "zorbQux zorbQux")).sentiment?.label).toBe("neutral");
    expect((await say(channel, "zorbBlorp")).sentiment?.label).toBe("neutral");
    await settings(channel, { sentimentEmotes: { zorbQux: 4, zorbBlorp: -4 } });
    expect((await say(channel, "zorbQux zorbQux")).sentiment?.label).toBe("positive");
    expect((await say(channel, "zorbBlorp")).sentiment?.label).toBe("negative");
    // The owner's alone, and bounded.
    const mod = chatters[5] as Session;
    await api(server.url, "PUT", `/api/channels/${channel}/roles/${mod.user.username}`, {
      token: owner.token,
      body: { role: "moderator" },
    });
    const byMod = await api(server.url, "PATCH", `/api/channels/${channel}`, {
      token: mod.token,
      body: { settings: { sentimentEmotes: {} } },
    });
    expect(byMod.status).toBe(403);
    const tooStrong = await api(server.url, "PATCH", `/api/channels/${channel}`, {
      token: owner.token,
      body: { settings: { sentimentEmotes: { zorbQux: 9 } } },
    });
    expect(tooStrong.status).toBe(400);
  });

  it("publishes stats every interval while there is chat, and answers GET /stats with the same", async () => {
    const channel = await createChannel(server.url, owner, "stats");
    const ws = await WsClient.connect(server.url);
    await ws.subscribe(channel);
    await say(channel, "KEKW that jump");
    await say(channel, "KEKW KEKW what a fail");
    await say(channel, "what game is this?");
    await say(channel, "!uptime");
    const event = await ws.waitForEvent("stats", (e) => e.data.chatters >= 4, 0, 10_000);
    const stats: ChannelStats = event.data;
    expect(stats.lastMinute).toBe(4);
    expect(stats.messagesPerMinute).toBeCloseTo(0.8);
    expect(stats.viewers).toBeGreaterThanOrEqual(1);
    expect(stats.topEmotes[0]).toEqual({ name: "KEKW", count: 2 });
    expect(stats.questions.map((m) => m.text)).toEqual(["what game is this?"]);
    const sum = stats.sentiment.positive + stats.sentiment.neutral + stats.sentiment.negative;
    expect(sum).toBeCloseTo(1, 2);
    const got = await api<ChannelStats>(server.url, "GET", `/api/channels/${channel}/stats`);
    expect(got.status).toBe(200);
    expect(got.body.chatters).toBe(4);
    expect(got.body.topEmotes[0]?.name).toBe("KEKW");
    // A quiet channel answers too, with nothing in it.
    const quiet = await createChannel(server.url, owner, "quiet");
    const none = await api<ChannelStats>(server.url, "GET", `/api/channels/${quiet}/stats`);
    expect(none.body).toMatchObject({ messagesPerMinute: 0, chatters: 0, topEmotes: [], questions: [] });
    expect((await api(server.url, "GET", "/api/channels/no_such_channel/stats")).status).toBe(404);
    ws.close();
  });

  it("writes a summary after exactly every summaryEvery messages, covering the last summaryWindow", async () => {
    const channel = await createChannel(server.url, owner, "summ");
    await settings(channel, { summaryEvery: 5, summaryWindow: 10 });
    const ws = await WsClient.connect(server.url);
    await ws.subscribe(channel);
    const sent: Message[] = [];
    for (let i = 0; i < 12; i++) sent.push(await say(channel, `the boss fight number ${i} was wild`));
    await eventually(
      () => (ws.loggedEvents(channel).filter((e) => e.type === "summary").length >= 2 ? true : undefined),
      "two summaries",
      10_000,
    );
    await sleep(600); // a third would have come by now
    const summaries = ws.loggedEvents(channel).filter((e) => e.type === "summary");
    expect(summaries.map((e) => (e.type === "summary" ? e.data.toSeq : 0))).toEqual([sent[4]?.seq, sent[9]?.seq]);
    const second = summaries[1];
    if (second?.type !== "summary") throw new Error("not a summary");
    expect(second.data.fromSeq).toBe(sent[0]?.seq); // the last 10 messages up to the 10th
    expect(second.data.text.length).toBeGreaterThan(20);
    const listed = await api<{ summaries: SummaryEntry[] }>(server.url, "GET", `/api/channels/${channel}/summaries`);
    expect(listed.body.summaries.map((s) => s.toSeq)).toEqual([sent[4]?.seq, sent[9]?.seq]);
    expect(listed.body.summaries[1]?.seq).toBe(second.seq);
    const one = await api<{ summaries: SummaryEntry[] }>(
      server.url,
      "GET",
      `/api/channels/${channel}/summaries?limit=1`,
    );
    expect(one.body.summaries.map((s) => s.toSeq)).toEqual([sent[9]?.seq]);
    expect((await api(server.url, "GET", `/api/channels/${channel}/summaries?limit=0`)).status).toBe(400);
    ws.close();
  });

  it("leaves held, rejected and deleted messages out of summaries, and held ones out of the count", async () => {
    const channel = await createChannel(server.url, owner, "clean");
    await settings(channel, {
      summaryEvery: 5,
      summaryWindow: 20,
      blockedTerms: [{ term: "zeppelin", action: "hold" }, "xylophone"],
    });
    const ws = await WsClient.connect(server.url);
    await ws.subscribe(channel);
    const held = await postMessage(server.url, chatters[0] as Session, channel, "the zeppelin strategy is good");
    expect(held.status).toBe(202); // held for review: not published
    const rejected = await postMessage(server.url, chatters[0] as Session, channel, "xylophone xylophone");
    expect(rejected.status).toBe(400);
    const doomed = await say(channel, "quokka quokka quokka everyone say quokka");
    expect(
      (await api(server.url, "DELETE", `/api/channels/${channel}/messages/${doomed.id}`, { token: owner.token }))
        .status,
    ).toBe(204);
    const rest: Message[] = [];
    for (let i = 0; i < 4; i++) rest.push(await say(channel, `speedrun route talk ${i} speedrun`));
    const summary = await ws.waitForEvent("summary", () => true, 0, 10_000);
    // The deleted message counted (it was published), the held one did not.
    expect(summary.data.toSeq).toBe(rest[3]?.seq);
    expect(summary.data.text).not.toMatch(/zeppelin|xylophone|quokka/i);
    ws.close();
  });

  it("records a chat spike during a broadcast as a highlight labelled by the chat", async () => {
    const channel = await createChannel(server.url, owner, "spike");
    const live = await api<{ broadcast: { id: string } }>(server.url, "POST", `/api/channels/${channel}/live`, {
      token: owner.token,
      body: { title: "Boss night" },
    });
    expect(live.status).toBe(201);
    const id = live.body.broadcast.id;
    const crowd = await Promise.all(Array.from({ length: 30 }, () => guest(server.url, "crowd")));
    // A slow trickle for a few buckets, then a burst in one.
    for (let i = 0; i < 8; i++) {
      await say(channel, `hello ${i}`);
      await sleep(400);
    }
    const burst = (
      await Promise.all(crowd.map((b) => postMessage(server.url, b, channel, "OMEGALUL OMEGALUL no way")))
    ).map((r) => r.body.message);
    const highlights = await eventually(
      async () => {
        const res = await api<{ highlights: Highlight[] }>(
          server.url,
          "GET",
          `/api/channels/${channel}/broadcasts/${id}/highlights`,
        );
        return res.body.highlights.length > 0 ? res.body.highlights : undefined;
      },
      "a highlight",
      10_000,
    );
    expect(highlights).toHaveLength(1);
    const h = highlights[0] as Highlight;
    expect(h.label).toBe("OMEGALUL");
    expect(h.rate).toBeGreaterThan(h.baseline * 2);
    expect(burst.map((m) => m.seq)).toContain(h.seq);
    expect(
      (await api(server.url, "GET", `/api/channels/${channel}/broadcasts/not-a-broadcast/highlights`)).status,
    ).toBe(404);
  });
});

describe("summaries by a model (an OpenAI-compatible stand-in on the loopback)", () => {
  it("uses the model's answer, falls back to the local summary on its error, and then leaves it alone for a while", async () => {
    const bodies: Array<{ model: string; messages: Array<{ role: string; content: string }> }> = [];
    let failing = false;
    const llm = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        if (req.headers.authorization !== "Bearer sk-test" || failing) {
          res.writeHead(500, { "content-type": "application/json" }).end('{"error":{"message":"overloaded"}}');
          return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            id: "chatcmpl-1",
            object: "chat.completion",
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: "Chat cheers the boss fight." },
                finish_reason: "stop",
              },
            ],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => llm.listen(0, "127.0.0.1", resolve));
    const server = await startTestServer({
      analysis: {
        enabled: true,
        llmUrl: `http://127.0.0.1:${(llm.address() as AddressInfo).port}/v1/chat/completions`,
        llmKey: "sk-test",
        llmModel: "test-model",
      },
    });
    try {
      const owner = await register(server.url, "owner");
      const channel = await createChannel(server.url, owner, "llm");
      await api(server.url, "PATCH", `/api/channels/${channel}`, {
        token: owner.token,
        body: { settings: { summaryEvery: 5, summaryWindow: 10 } },
      });
      const ws = await WsClient.connect(server.url);
      await ws.subscribe(channel);
      const posters = await Promise.all(Array.from({ length: 5 }, () => register(server.url, "fan")));
      const burst = async (word: string) => {
        for (const p of posters)
          expect((await postMessage(server.url, p, channel, `${word} boss fight hype`)).status).toBe(201);
      };
      await burst("first");
      const first = await ws.waitForEvent("summary", () => true, 0, 10_000);
      expect(first.data.text).toBe("Chat cheers the boss fight.");
      expect(bodies[0]?.model).toBe("test-model");
      expect(bodies[0]?.messages.at(-1)?.content).toContain("first boss fight hype");

      failing = true;
      await burst("second");
      const second = await ws.waitForEvent("summary", (e) => e.seq > first.seq, 0, 10_000);
      expect(second.data.text).not.toBe("Chat cheers the boss fight.");
      expect(second.data.text.length).toBeGreaterThan(10);
      expect(bodies).toHaveLength(2);

      // Cooling down after the failure: the next summary is local without asking the model.
      failing = false;
      await burst("third");
      await ws.waitForEvent("summary", (e) => e.seq > second.seq, 0, 10_000);
      expect(bodies).toHaveLength(2);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/chorus_summaries_total\{by="llm"\} 1/);
      expect(metrics).toMatch(/chorus_summaries_total\{by="local"\} 2/);
      ws.close();
    } finally {
      await server.dispose();
      llm.closeAllConnections();
      await new Promise((resolve) => llm.close(resolve));
    }
  });
});

describe("sentiment on the event loop itself (SENTIMENT_WORKERS=0)", () => {
  it("still gives every message its sentiment, and counts the time it took", async () => {
    const server = await startTestServer({ analysis: { enabled: true, sentimentWorkers: 0 } });
    try {
      const owner = await register(server.url, "owner");
      const channel = await createChannel(server.url, owner, "inline");
      const res = await postMessage(server.url, owner, channel, "PogChamp what an amazing clutch");
      expect(res.body.message.sentiment?.label).toBe("positive");
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/chorus_sentiment_total\{outcome="analysed"\} 1/);
      expect(metrics).toMatch(/chorus_sentiment_wait_seconds_count 1/);
    } finally {
      await server.dispose();
    }
  });
});
