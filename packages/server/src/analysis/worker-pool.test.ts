import type { Sentiment } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeSentiment } from "./analyzer.js";
import { createSentimentPool, type SentimentPoolEvent, type SentimentWorkerPool } from "./worker-pool.js";

/** For tests not about timeouts: answers may be slow on a busy machine, never this slow. */
const GENEROUS = 15_000;
const TRANSPORTS = ["postMessage", "ring"] as const;

/**
 * A stand-in analyser whose answer depends on the text (label, score and the order of tags), so
 * that an answer delivered to the wrong request shows. It runs in the workers from a data: URL,
 * so it must not refer to anything outside itself.
 */
function standIn(text: string, options: { customEmotes?: Readonly<Record<string, number>> } = {}): Sentiment {
  const labels = ["positive", "neutral", "negative"] as const;
  const tags = ["compliment", "insult", "humor", "question", "hype"] as const;
  if (text.startsWith("unreadable")) throw new Error("the stand-in cannot read this");
  let hash = 7;
  for (const ch of text) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  let emotes = 0;
  for (const word of text.split(" ")) {
    if (options.customEmotes && Object.hasOwn(options.customEmotes, word)) emotes += options.customEmotes[word] ?? 0;
  }
  const label = emotes > 0 ? "positive" : emotes < 0 ? "negative" : labels[hash % 3]!;
  const start = hash % 5;
  const picked = tags.map((_, i) => tags[(start + i) % 5]!).filter((_, i) => (hash >> (i + 3)) & 1);
  return { label, score: ((hash % 2001) - 1000) / 1000, tags: picked };
}
const STAND_IN = `data:text/javascript,${encodeURIComponent(`export const analyzeSentiment = ${standIn.toString()};`)}`;

const EMOTE_LINES = ["KEKW", "PogChamp PogChamp", "LUL LUL LUL", "monkaS", "Kappa", "<3", "GG"];
const WORDS =
  "that was an insane play who is winning right now chat gg wp this song is a banger when is the next stream".split(
    " ",
  );

/** A mix of emote lines and sentences up to ~200 characters, some with accents and emoji. */
function chatLines(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    if (i % 4 === 0) return `${EMOTE_LINES[i % EMOTE_LINES.length]} ${i}`;
    const words = Array.from({ length: 3 + (i % 35) }, (_, k) => WORDS[(i * 7 + k * 3) % WORDS.length]!);
    if (i % 5 === 0) words.push("héhé 🎉🔥");
    if (i % 11 === 0) words.push("漢字");
    return `${words.join(" ")} #${i}`.slice(0, 200);
  });
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, limitMs = GENEROUS): Promise<void> {
  const until = performance.now() + limitMs;
  while (!(await condition())) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function recorder(): { events: SentimentPoolEvent[]; count: (event: SentimentPoolEvent) => number } {
  const events: SentimentPoolEvent[] = [];
  return { events, count: (event) => events.filter((e) => e === event).length };
}

describe.each(TRANSPORTS)("sentiment pool over %s", (transport) => {
  describe("with a stand-in analyser", () => {
    let pool: SentimentWorkerPool;
    beforeAll(async () => {
      pool = createSentimentPool({
        workers: 2,
        transport,
        maxPending: 20_000,
        timeoutMs: GENEROUS,
        analyserForTest: STAND_IN,
      });
      await pool.whenReady();
    });
    afterAll(() => pool.close());

    it("answers thousands of concurrent requests, each with its own text's answer", async () => {
      const texts = chatLines(5_000);
      const promises = texts.map((text) => pool.analyze(text));
      expect(pool.pending).toBe(texts.length);
      const answers = await Promise.all(promises);
      expect(answers).toEqual(texts.map((text) => standIn(text)));
      // The stand-in gives every label and varied tag orders, so the wire carries them all.
      expect(new Set(answers.map((a) => a?.label)).size).toBe(3);
      expect(new Set(answers.map((a) => a?.tags.join())).size).toBeGreaterThan(20);
      expect(pool.pending).toBe(0);
    });

    it("carries each channel's emote map to the workers, however many maps and objects there are", async () => {
      const plus = { Zorbo: 5 };
      const minus = { Zorbo: -5 };
      const cases: [string, Readonly<Record<string, number>> | undefined][] = [
        ["Zorbo what a play", plus],
        ["Zorbo what a play", minus],
        // The same map in a new object (a rebuilt settings object) and none at all.
        ["Zorbo what a play", { Zorbo: 5 }],
        ["Zorbo what a play", undefined],
        ["Zorbo what a play", {}],
      ];
      // More distinct maps than the pool remembers, so old ones are dropped (and workers told).
      for (let i = 0; i < 700; i++) cases.push([`Emote${i} hi`, { [`Emote${i}`]: i % 2 ? 3 : -3, Other: 1 }]);
      // And the first ones again after they were dropped.
      for (let i = 0; i < 20; i++) cases.push([`Emote${i} again`, { [`Emote${i}`]: i % 2 ? 3 : -3, Other: 1 }]);
      const answers = await Promise.all(cases.map(([text, emotes]) => pool.analyze(text, emotes)));
      expect(answers).toEqual(cases.map(([text, customEmotes]) => standIn(text, { customEmotes })));
      expect(answers[0]?.label).toBe("positive");
      expect(answers[1]?.label).toBe("negative");
    });

    it("answers undefined for a message the analyser throws on, and goes on serving", async () => {
      const [bad, good] = await Promise.all([pool.analyze("unreadable text"), pool.analyze("fine text")]);
      expect(bad).toBeUndefined();
      expect(good).toEqual(standIn("fine text"));
    });
  });

  it("answers exactly what analyzeSentiment answers, with and without custom emotes", async () => {
    const pool = createSentimentPool({ workers: 2, transport, timeoutMs: GENEROUS });
    try {
      await pool.whenReady();
      const texts = [...chatLines(300), "", "a", "x".repeat(500), "Zorblax"];
      const plain = await Promise.all(texts.map((text) => pool.analyze(text)));
      expect(plain).toEqual(texts.map((text) => analyzeSentiment(text)));
      // A made-up emote with polarity 5: the analyser reads it only if the map reaches the worker.
      const customEmotes = { Zorblax: 5 };
      const withEmotes = await Promise.all(texts.map((text) => pool.analyze(text, customEmotes)));
      expect(withEmotes).toEqual(texts.map((text) => analyzeSentiment(text, { customEmotes })));
      // Neutral alone, positive once the worker knows the emote.
      expect(plain.at(-1)?.label).toBe("neutral");
      expect(withEmotes.at(-1)?.label).toBe("positive");
    } finally {
      await pool.close();
    }
  });

  it.each(["throw", "exit", "terminate"] as const)(
    "resolves a dead worker's requests undefined at once and replaces it (%s)",
    async (how) => {
      const { events, count } = recorder();
      const pool = createSentimentPool({
        workers: 1,
        transport,
        timeoutMs: GENEROUS,
        analyserForTest: STAND_IN,
        onEvent: (e) => events.push(e),
      });
      try {
        await pool.whenReady();
        expect(await pool.analyze("before")).toEqual(standIn("before"));
        // The requests reach the worker behind the crash (or behind a long stall, for a kill from outside).
        if (how === "terminate") pool.stallWorkerForTest(0, 60_000);
        else pool.crashWorkerForTest(0, how);
        const doomed = chatLines(20).map((text) => pool.analyze(text));
        if (how === "terminate") {
          await new Promise((resolve) => setTimeout(resolve, 100));
          pool.crashWorkerForTest(0, "terminate");
        }
        const started = performance.now();
        expect(await Promise.all(doomed)).toEqual(doomed.map(() => undefined));
        // Well before their timeout.
        expect(performance.now() - started).toBeLessThan(GENEROUS / 2);
        await waitFor(() => events.includes("worker_replaced"), "the replacement");
        expect(events.filter((e) => e.startsWith("worker_"))).toEqual(["worker_crashed", "worker_replaced"]);
        expect(count("timeout")).toBe(0);
        await pool.whenReady();
        const after = chatLines(50);
        expect(await Promise.all(after.map((text) => pool.analyze(text)))).toEqual(after.map((text) => standIn(text)));
        expect(pool.pending).toBe(0);
      } finally {
        await pool.close();
      }
    },
  );

  it("resolves undefined after timeoutMs when the worker stalls, then serves again", async () => {
    const { events, count } = recorder();
    const pool = createSentimentPool({
      workers: 1,
      transport,
      timeoutMs: 200,
      analyserForTest: STAND_IN,
      onEvent: (e) => events.push(e),
    });
    try {
      await pool.whenReady();
      pool.stallWorkerForTest(0, 3_000);
      const started = performance.now();
      const answers = await Promise.all(chatLines(10).map((text) => pool.analyze(text)));
      const elapsed = performance.now() - started;
      expect(answers).toEqual(answers.map(() => undefined));
      expect(elapsed).toBeGreaterThanOrEqual(190);
      // Long before the stall ends, so the timeout answered, not the worker.
      expect(elapsed).toBeLessThan(2_500);
      expect(count("timeout")).toBe(10);
      expect(pool.pending).toBe(0);
      await waitFor(async () => (await pool.analyze("awake?")) !== undefined, "the worker to answer again");
      expect(await pool.analyze("awake")).toEqual(standIn("awake"));
      expect(count("worker_crashed")).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it("close() resolves what is pending undefined, and the pool answers undefined afterwards", async () => {
    const pool = createSentimentPool({ workers: 2, transport, timeoutMs: GENEROUS, analyserForTest: STAND_IN });
    await pool.whenReady();
    pool.stallWorkerForTest(0, 60_000);
    pool.stallWorkerForTest(1, 60_000);
    const pending = chatLines(30).map((text) => pool.analyze(text));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.pending).toBe(30);
    const started = performance.now();
    await pool.close();
    expect(await Promise.all(pending)).toEqual(pending.map(() => undefined));
    expect(performance.now() - started).toBeLessThan(GENEROUS / 2);
    expect(pool.pending).toBe(0);
    expect(await pool.analyze("too late")).toBeUndefined();
    await pool.close();
  });
});

it("keeps answering when the onEvent hook throws", async () => {
  const pool = createSentimentPool({
    workers: 1,
    maxPending: 1,
    timeoutMs: GENEROUS,
    analyserForTest: STAND_IN,
    onEvent: () => {
      throw new Error("metrics are broken");
    },
  });
  try {
    await pool.whenReady();
    const [first, second] = await Promise.all([pool.analyze("one"), pool.analyze("two")]);
    expect(first).toEqual(standIn("one"));
    expect(second).toBeUndefined();
  } finally {
    await pool.close();
  }
});

it("refuses a pool without workers", () => {
  expect(() => createSentimentPool({ workers: 0 })).toThrow(RangeError);
});

// Dispatch, saturation and the hang watchdog are the pool's own logic: the default transport suffices.
it("sends new requests to the worker with the smaller backlog", async () => {
  const pool = createSentimentPool({ workers: 2, timeoutMs: GENEROUS, analyserForTest: STAND_IN });
  try {
    await pool.whenReady();
    pool.stallWorkerForTest(0, 5_000);
    let answered = 0;
    const first = chatLines(60).map((text) => pool.analyze(text));
    for (const promise of first) void promise.then(() => answered++);
    // Half of these went to the stalled worker; once the other has answered its half...
    await waitFor(() => answered === 30, "the free worker's half");
    const second = chatLines(20).map((text) => `${text}!`);
    const answers = await Promise.all(second.map((text) => pool.analyze(text)));
    // ...the next ones all go to it: they are answered while worker 0 still sleeps on its half.
    expect(answered).toBe(30);
    expect(answers).toEqual(second.map((text) => standIn(text)));
    expect(await Promise.all(first)).toEqual(chatLines(60).map((text) => standIn(text)));
  } finally {
    await pool.close();
  }
});

it("answers undefined at once beyond maxPending, and nothing rejects", async () => {
  const { events, count } = recorder();
  const pool = createSentimentPool({
    workers: 1,
    maxPending: 10,
    timeoutMs: GENEROUS,
    analyserForTest: STAND_IN,
    onEvent: (e) => events.push(e),
  });
  try {
    await pool.whenReady();
    const texts = chatLines(1_000);
    const settled = new Set<number>();
    const promises = texts.map((text, i) => {
      const promise = pool.analyze(text);
      void promise.then(() => settled.add(i));
      return promise;
    });
    expect(pool.pending).toBe(10);
    // One microtask turn later, before any worker could have answered, the excess is settled.
    await Promise.resolve();
    expect(settled.size).toBe(990);
    expect([...settled].every((i) => i >= 10)).toBe(true);
    expect(count("saturated")).toBe(990);
    const results = await Promise.allSettled(promises);
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    const answers = results.map((r) => (r.status === "fulfilled" ? r.value : "rejected"));
    expect(answers.slice(0, 10)).toEqual(texts.slice(0, 10).map((text) => standIn(text)));
    expect(answers.slice(10).every((a) => a === undefined)).toBe(true);
  } finally {
    await pool.close();
  }
});

it("replaces a worker that stops answering altogether", async () => {
  const { events, count } = recorder();
  const pool = createSentimentPool({
    workers: 1,
    timeoutMs: 100,
    hangMs: 500,
    analyserForTest: STAND_IN,
    onEvent: (e) => events.push(e),
  });
  try {
    await pool.whenReady();
    pool.stallWorkerForTest(0, 600_000);
    await waitFor(async () => {
      await pool.analyze("anyone there?");
      return events.includes("worker_replaced");
    }, "the hung worker's replacement");
    expect(count("worker_crashed")).toBe(1);
    await pool.whenReady();
    await waitFor(async () => (await pool.analyze("hello")) !== undefined, "the replacement to answer");
  } finally {
    await pool.close();
  }
});

describe("analyzeNow: the answer within the caller's turn (ring transport)", () => {
  it("answers exactly what analyzeSentiment answers, synchronously, with and without custom emotes", async () => {
    const pool = createSentimentPool({ workers: 1, transport: "ring", timeoutMs: GENEROUS });
    try {
      await pool.whenReady();
      const lines = chatLines(200);
      // A generous budget: this is about the answers, not the machine's scheduling.
      for (const line of lines) expect(pool.analyzeNow(line, undefined, GENEROUS)).toEqual(analyzeSentiment(line));
      const emotes = { Zorblax: 5 };
      expect(pool.analyzeNow("Zorblax", emotes, GENEROUS)).toEqual(
        analyzeSentiment("Zorblax", { customEmotes: emotes }),
      );
      expect(pool.pending).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it("gives up after the budget when the worker is busy, ignores the late answer, and answers again after", async () => {
    const events: SentimentPoolEvent[] = [];
    const pool = createSentimentPool({
      workers: 1,
      transport: "ring",
      timeoutMs: GENEROUS,
      analyserForTest: STAND_IN,
      onEvent: (e) => events.push(e),
    });
    try {
      await pool.whenReady();
      pool.stallWorkerForTest(0, 300);
      const started = performance.now();
      expect(pool.analyzeNow("stalled line", undefined, 20)).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(250); // the budget, not the stall
      expect(events).toContain("timeout");
      expect(pool.pending).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(pool.analyzeNow("after the stall", undefined, GENEROUS)).toEqual(standIn("after the stall"));
    } finally {
      await pool.close();
    }
  });

  it("answers undefined with the postMessage transport (its answers need a later turn)", async () => {
    const pool = createSentimentPool({ workers: 1, transport: "postMessage", timeoutMs: GENEROUS });
    try {
      await pool.whenReady();
      expect(pool.analyzeNow("hello there", undefined, 50)).toBeUndefined();
      expect(pool.pending).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
