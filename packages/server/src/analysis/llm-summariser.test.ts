/**
 * Against a real HTTP server on the loopback that speaks the chat-completions API.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Message } from "@chorus/protocol";
import { afterEach, describe, expect, it } from "vitest";
import {
  chatPrompt,
  createSummariser,
  type LlmSummariserOptions,
  MAX_ANSWER_CHARS,
  PROMPT_BUDGET,
  type SummaryOutcome,
  SYSTEM_PROMPT,
} from "./llm-summariser.js";
import { type SummaryInput, summariseLocally } from "./summariser.js";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (res: ServerResponse, request: Received) => void;

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function completionsServer(handler: Handler) {
  const requests: Received[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const received = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(received);
      handler(res, received);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const handle = {
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    requests,
    /** A timer the server's close clears. */
    later(ms: number, run: () => void) {
      const t = setTimeout(() => {
        timers.delete(t);
        run();
      }, ms);
      timers.add(t);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

function completion(content: unknown) {
  return JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-4o-mini",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  });
}

function answer(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}

function window(n = 12): SummaryInput {
  const texts = ["that boss fight was insane", "what sword is that?", "KEKW KEKW", "the boss fight music slaps"];
  const messages: Message[] = Array.from({ length: n }, (_, i) => ({
    id: `m${i}`,
    channel: "speedy",
    seq: i + 1,
    text: `${texts[i % texts.length]}${i >= texts.length ? ` ${i}` : ""}`,
    createdAt: 1_700_000_000_000 + i,
    author: {
      id: `u${i % 5}`,
      username: `user${i % 5}`,
      displayName: `User${i % 5}`,
      color: "#fff",
      role: "viewer",
      badges: [],
      platform: "chorus",
    },
  }));
  return { channel: "speedy", messages, customEmotes: ["speedyHype"] };
}

function summariser(url: string, extra: Partial<LlmSummariserOptions> = {}) {
  const outcomes: SummaryOutcome[] = [];
  const s = createSummariser({
    llm: { url, key: "test-key", timeoutMs: 2000, cooldownMs: 60_000, onOutcome: (o) => outcomes.push(o), ...extra },
  });
  return { s, outcomes };
}

describe("LLM summariser", () => {
  it("posts a chat-completions request and answers with the model's text", async () => {
    const server = await completionsServer((res) =>
      answer(res, 200, completion("  Chat is hyped about the boss fight.\n Viewers ask about the sword.  ")),
    );
    const { s, outcomes } = summariser(server.url);
    const input = window();
    const text = await s.summarise(input);

    expect(text).toBe("Chat is hyped about the boss fight. Viewers ask about the sword.");
    expect(outcomes).toEqual(["llm"]);
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0];
    expect(request?.headers.authorization).toBe("Bearer test-key");
    expect(request?.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(request?.body ?? "{}");
    expect(body).toMatchObject({ model: "gpt-4o-mini", max_tokens: 200, temperature: 0.2 });
    expect(body.messages).toHaveLength(2);
    expect(body.messages[0]).toEqual({ role: "system", content: SYSTEM_PROMPT });
    expect(body.messages[1].role).toBe("user");
    const prompt: string = body.messages[1].content;
    for (const m of input.messages) expect(prompt).toContain(m.text);
    expect(prompt).toContain("speedyHype");
    // No usernames reach the model.
    expect(prompt).not.toMatch(/user\d/iu);
  });

  it("uses the configured model and reads text parts", async () => {
    const server = await completionsServer((res) =>
      answer(
        res,
        200,
        completion([
          { type: "text", text: "Chat is calm. " },
          { type: "text", text: "Mostly emotes." },
        ]),
      ),
    );
    const { s } = summariser(server.url, { model: "local-llama" });
    expect(await s.summarise(window())).toBe("Chat is calm. Mostly emotes.");
    expect(JSON.parse(server.requests[0]?.body ?? "{}").model).toBe("local-llama");
  });

  it("caps a long answer", async () => {
    const sentence = "Chat keeps talking about the boss fight and the sword. ";
    const server = await completionsServer((res) => answer(res, 200, completion(sentence.repeat(30))));
    const { s } = summariser(server.url);
    const text = await s.summarise(window());
    expect(text.length).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
    expect(text.endsWith(".")).toBe(true);
  });

  it("falls back to the local summary on a server error", async () => {
    const server = await completionsServer((res) => answer(res, 500, JSON.stringify({ error: { message: "boom" } })));
    const { s, outcomes } = summariser(server.url);
    const input = window();
    expect(await s.summarise(input)).toBe(summariseLocally(input));
    expect(outcomes).toEqual(["fallback_error"]);
    expect(server.requests).toHaveLength(1);
  });

  it("falls back on malformed JSON, and on an answer without content", async () => {
    const bodies = ['{"choices": [', completion(""), JSON.stringify({ choices: [] }), "null"];
    for (const body of bodies) {
      const server = await completionsServer((res) => answer(res, 200, body));
      const { s, outcomes } = summariser(server.url);
      const input = window();
      expect(await s.summarise(input)).toBe(summariseLocally(input));
      expect(outcomes).toEqual(["fallback_error"]);
    }
  });

  it("falls back within about the timeout when the server is slow", async () => {
    const server = await completionsServer((res) => server.later(5000, () => answer(res, 200, completion("late"))));
    const { s, outcomes } = summariser(server.url, { timeoutMs: 300 });
    const input = window();
    const started = performance.now();
    expect(await s.summarise(input)).toBe(summariseLocally(input));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
    expect(outcomes).toEqual(["fallback_timeout"]);
  });

  it("times out a server that sends headers and then stalls the body", async () => {
    const server = await completionsServer((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"choices": [');
    });
    const { s, outcomes } = summariser(server.url, { timeoutMs: 300 });
    const started = performance.now();
    await s.summarise(window());
    expect(performance.now() - started).toBeLessThan(2000);
    expect(outcomes).toEqual(["fallback_timeout"]);
  });

  it("does not ask the model during the cooldown after a failure, and asks again after it", async () => {
    let fail = true;
    const server = await completionsServer((res) =>
      fail ? answer(res, 500, "{}") : answer(res, 200, completion("Back to normal.")),
    );
    const { s, outcomes } = summariser(server.url, { cooldownMs: 300 });
    const input = window();
    await s.summarise(input);
    expect(await s.summarise(input)).toBe(summariseLocally(input));
    expect(await s.summarise(input)).toBe(summariseLocally(input));
    expect(server.requests).toHaveLength(1);
    expect(outcomes).toEqual(["fallback_error", "fallback_cooldown", "fallback_cooldown"]);

    fail = false;
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await s.summarise(input)).toBe("Back to normal.");
    expect(server.requests).toHaveLength(2);
  });

  it("answers a concurrent call locally while one is in flight", async () => {
    let release: () => void = () => undefined;
    const server = await completionsServer((res) => {
      release = () => answer(res, 200, completion("From the model."));
    });
    const { s, outcomes } = summariser(server.url);
    const input = window();
    const first = s.summarise(input);
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await s.summarise(input)).toBe(summariseLocally(input));
    release();
    expect(await first).toBe("From the model.");
    expect(server.requests).toHaveLength(1);
    expect(outcomes).toEqual(["fallback_busy", "llm"]);
  });

  it("allows maxConcurrent calls at once", async () => {
    const waiting: (() => void)[] = [];
    const server = await completionsServer((res) => {
      waiting.push(() => answer(res, 200, completion("From the model.")));
    });
    const { s, outcomes } = summariser(server.url, { maxConcurrent: 2 });
    const calls = [s.summarise(window()), s.summarise(window())];
    while (server.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await s.summarise(window());
    for (const go of waiting) go();
    expect(await Promise.all(calls)).toEqual(["From the model.", "From the model."]);
    expect(outcomes).toEqual(["fallback_busy", "llm", "llm"]);
  });

  it("falls back on 429 and honours a Retry-After longer than the cooldown", async () => {
    const server = await completionsServer((res) =>
      answer(res, 429, JSON.stringify({ error: { message: "rate limited" } }), { "retry-after": "2" }),
    );
    const { s, outcomes } = summariser(server.url, { cooldownMs: 50 });
    const input = window();
    expect(await s.summarise(input)).toBe(summariseLocally(input));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await s.summarise(input);
    expect(server.requests).toHaveLength(1);
    expect(outcomes).toEqual(["fallback_error", "fallback_cooldown"]);
  });

  it("falls back when nothing listens", async () => {
    const server = await completionsServer(() => undefined);
    const url = server.url;
    await server.close();
    const { s, outcomes } = summariser(url);
    const input = window();
    expect(await s.summarise(input)).toBe(summariseLocally(input));
    expect(outcomes).toEqual(["fallback_error"]);
  });

  it("does not ask about an empty window", async () => {
    const server = await completionsServer((res) => answer(res, 200, completion("Nothing.")));
    const { s, outcomes } = summariser(server.url);
    expect(await s.summarise({ channel: "speedy", messages: [] })).toBe("No chat to summarise.");
    expect(server.requests).toHaveLength(0);
    expect(outcomes).toEqual([]);
  });

  it("summarises locally when no model is configured", async () => {
    const input = window();
    expect(await createSummariser({ llm: undefined }).summarise(input)).toBe(summariseLocally(input));
  });
});

describe("chat prompt", () => {
  it("keeps the newest lines within the budget and gives repeats once with their count", () => {
    const input = window(800);
    const prompt = chatPrompt(input);
    const [header, lines = ""] = prompt.split("\n\n");
    expect(lines.length).toBeLessThanOrEqual(PROMPT_BUDGET);
    expect(header).toContain("800 messages from 5 people");
    expect(header).toMatch(/oldest distinct lines are left out/u);
    const newest = input.messages.at(-1)?.text ?? "";
    const oldestNumbered = input.messages[4]?.text ?? "";
    expect(lines.endsWith(newest)).toBe(true);
    expect(lines).not.toContain(`${oldestNumbered}\n`);

    const repeated = chatPrompt({
      channel: "speedy",
      messages: [...window(3).messages, ...window(3).messages].map((m, i) => ({ ...m, seq: i + 1 })),
    });
    expect(repeated).toContain("that boss fight was insane (×2)");
    expect(repeated.match(/that boss fight was insane/gu)).toHaveLength(1);
  });
});
