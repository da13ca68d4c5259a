/**
 * The sentiment worker thread, and both ends of the wire between it and the pool.
 *
 * The pool sends WorkerOps and receives answers through one of two transports, behind the same
 * WorkerChannel so the benchmark compares like with like:
 * - `postMessage`: one message per flushed batch (op fields packed in a transferred
 *   Float64Array, the strings beside it), one message of answers per batch back;
 * - `ring`: an SPSC ring buffer per direction in a SharedArrayBuffer. The worker sleeps in
 *   Atomics.wait on the request ring and is woken by Atomics.notify once per flushed batch; the
 *   main thread, which must never block, waits for answers with Atomics.waitAsync (a promise the
 *   worker's notify settles), so neither side polls.
 *
 * The thread's entry is sentiment-worker.mjs: worker threads do not inherit tsx's loader
 * (Node 20 ignores `--import` in a worker's execArgv for its entry), so the bootstrap registers
 * tsx and then imports this module and calls runSentimentWorker().
 */

import { parentPort, Worker, workerData } from "node:worker_threads";
import { SENTIMENT_LABELS, SENTIMENT_TAGS, type Sentiment, type SentimentTag } from "@chorus/protocol";
import { analyzeSentiment } from "./analyzer.js";
import { createRingBuffer, RingReader, RingWriter } from "./ring-buffer.js";

export type Transport = "ring" | "postMessage";

export const Op = {
  analyze: 0,
  defineEmotes: 1,
  forgetEmotes: 2,
  /** Test hooks: the worker throws, calls process.exit, or blocks for `id` ms. */
  crash: 3,
  exit: 4,
  stall: 5,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

/** One instruction for a worker; fields an op does not use are 0 / -1 / "". */
export interface WorkerOp {
  op: Op;
  /** analyze: the request id (u32); defineEmotes / forgetEmotes: the map's id; stall: ms. */
  id: number;
  /** analyze: the id of the channel's emote map, or -1 for none. */
  emotes: number;
  /** analyze: wall-clock ms (timeOrigin + now) after which nobody waits for the answer. */
  deadline: number;
  /** analyze: the message; defineEmotes: the map as JSON [name, polarity] pairs. */
  text: string;
}

export interface ChannelHandlers {
  /** An answer to request `id`; undefined when the worker skipped it (past its deadline) or the analyser failed. */
  answer(id: number, sentiment: Sentiment | undefined): void;
  /** The worker has loaded the analyser and takes requests. */
  ready(): void;
  /** The thread is gone (crashed, exited or terminated). */
  exit(error: Error | undefined): void;
}

/** The pool's handle on one worker thread. */
export interface WorkerChannel {
  /** The longest op text (UTF-16 units) this transport carries. */
  readonly maxText: number;
  /** Sends ops in order, as many as fit now (a full ring takes fewer); returns how many went. */
  send(ops: readonly WorkerOp[]): number;
  /** Ends the thread; its exit handler still runs. */
  terminate(): Promise<void>;
  /**
   * Ring transport only: takes the answers already written, synchronously, and waits (blocking
   * the calling thread) for more until `done()` or the wall clock passes `until`. This is what
   * lets an answer reach the message in the same event-loop turn (see SentimentWorkerPool.analyzeNow).
   */
  collect?(until: number, done: () => boolean): void;
}

/** The wall clock both threads share (each thread's performance.now() has its own origin). */
export const wallNow = (): number => performance.timeOrigin + performance.now();

// ── Encoding of answers: label index (-1: no answer), score, ordered tags as base-8 digits ──

const NO_ANSWER = -1;
const MAX_TAGS = 10;
const TAG_INDEX = new Map<string, number>(SENTIMENT_TAGS.map((tag, i) => [tag, i]));

function encodeTags(tags: readonly string[]): number {
  if (tags.length > MAX_TAGS) return -1;
  let code = 0;
  for (let i = tags.length - 1; i >= 0; i--) {
    const index = TAG_INDEX.get(tags[i]!);
    if (index === undefined) return -1;
    code = code * 8 + index + 1;
  }
  return code;
}

function decodeSentiment(label: number, score: number, tagCode: number): Sentiment | undefined {
  const name = SENTIMENT_LABELS[label];
  if (name === undefined) return undefined;
  const tags: SentimentTag[] = [];
  for (let code = tagCode; code > 0; code = Math.floor(code / 8)) tags.push(SENTIMENT_TAGS[(code % 8) - 1]!);
  return { label: name, score, tags };
}

// ── Worker side ──

type Answer = (id: number, label: number, score: number, tags: number) => void;

type Analyse = typeof analyzeSentiment;

class Analyst {
  constructor(private readonly analyse: Analyse) {}

  private readonly emotes = new Map<number, Readonly<Record<string, number>>>();
  private readonly stallCell = new Int32Array(new SharedArrayBuffer(4));

  run(op: number, id: number, emotes: number, deadline: number, text: string, answer: Answer): void {
    switch (op) {
      case Op.analyze:
        this.analyze(id, emotes, deadline, text, answer);
        return;
      case Op.defineEmotes:
        this.emotes.set(id, Object.fromEntries(JSON.parse(text) as [string, number][]));
        return;
      case Op.forgetEmotes:
        this.emotes.delete(id);
        return;
      case Op.crash:
        throw new Error("sentiment worker crash requested (test hook)");
      case Op.exit:
        process.exit(3);
        break;
      case Op.stall:
        Atomics.wait(this.stallCell, 0, 0, id);
        return;
      default:
        throw new Error(`unknown sentiment worker op ${op}`);
    }
  }

  private analyze(id: number, emotes: number, deadline: number, text: string, answer: Answer): void {
    // Skipping what nobody waits for any more keeps a backlog (after a stall or a burst) short.
    if (wallNow() > deadline) {
      answer(id, NO_ANSWER, 0, 0);
      return;
    }
    let label = NO_ANSWER;
    let score = 0;
    let tags = 0;
    try {
      const customEmotes = emotes >= 0 ? this.emotes.get(emotes) : undefined;
      const sentiment = this.analyse(text, customEmotes ? { customEmotes } : {});
      tags = encodeTags(sentiment.tags);
      if (tags >= 0) {
        label = SENTIMENT_LABELS.indexOf(sentiment.label);
        score = sentiment.score;
      }
    } catch {
      // One message the analyser cannot read goes out without sentiment; the thread lives on.
      label = NO_ANSWER;
    }
    answer(id, label, score, Math.max(0, tags));
  }
}

interface PostedOps {
  /** op, id, emotes, deadline for each op. */
  nums: Float64Array;
  texts: string[];
}

interface WorkerSetup {
  transport: Transport;
  /** Test hook: a module URL whose analyzeSentiment the worker uses instead of the real one. */
  analyser?: string | undefined;
  requests?: SharedArrayBuffer;
  answers?: SharedArrayBuffer;
}

// Ring records. Request: op u8, emotes i32, id u32, deadline f64, then the text in UTF-8.
const REQUEST_HEADER = 17;
// Answer: id u32, label i8, score f64, tags u32.
const ANSWER_BYTES = 17;
// Requests: a few thousand chat lines; answers are small and drained on every wake.
const REQUEST_RING_BYTES = 256 * 1024;
const ANSWER_RING_BYTES = 64 * 1024;
const LE = true;

/** The worker thread's main (called by sentiment-worker.mjs). */
export async function runSentimentWorker(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("runSentimentWorker runs in a worker thread");
  const setup = workerData as WorkerSetup;
  const analyse = setup.analyser
    ? ((await import(setup.analyser)) as { analyzeSentiment: Analyse }).analyzeSentiment
    : analyzeSentiment;
  const analyst = new Analyst(analyse);
  if (setup.transport === "ring" && setup.requests && setup.answers) {
    port.postMessage("ready");
    runRing(analyst, new RingReader(setup.requests), new RingWriter(setup.answers));
    return;
  }
  port.on("message", ({ nums, texts }: PostedOps) => {
    let analyses = 0;
    for (let i = 0; i < nums.length; i += 4) if (nums[i] === Op.analyze) analyses++;
    const out = new Float64Array(analyses * 4);
    let k = 0;
    const answer: Answer = (id, label, score, tags) => {
      out[k++] = id;
      out[k++] = label;
      out[k++] = score;
      out[k++] = tags;
    };
    for (let i = 0, j = 0; i < nums.length; i += 4, j++) {
      analyst.run(nums[i]!, nums[i + 1]!, nums[i + 2]!, nums[i + 3]!, texts[j]!, answer);
    }
    if (analyses > 0) port.postMessage(out, [out.buffer]);
  });
  port.postMessage("ready");
}

function runRing(analyst: Analyst, requests: RingReader, answers: RingWriter): never {
  const decoder = new TextDecoder();
  const rv = requests.view;
  const av = answers.view;
  let unannounced = 0;
  const answer: Answer = (id, label, score, tags) => {
    let at = answers.reserve(ANSWER_BYTES);
    while (at < 0) {
      // The main thread drains on every notify and then wakes us (the timeout is only a backstop).
      answers.notify();
      unannounced = 0;
      answers.waitForSpace(100);
      at = answers.reserve(ANSWER_BYTES);
    }
    av.setUint32(at, id, LE);
    av.setInt8(at + 4, label);
    av.setFloat64(at + 5, score, LE);
    av.setUint32(at + 13, tags, LE);
    answers.commit(ANSWER_BYTES);
    // A long burst is answered in slices so the first answers need not wait for the last.
    if (++unannounced >= 256) {
      answers.notify();
      unannounced = 0;
    }
  };
  for (;;) {
    const at = requests.read();
    if (at < 0) {
      if (unannounced > 0) {
        answers.notify();
        unannounced = 0;
      }
      requests.wait();
      continue;
    }
    const op = rv.getUint8(at);
    const emotes = rv.getInt32(at + 1, LE);
    const id = rv.getUint32(at + 5, LE);
    const deadline = rv.getFloat64(at + 9, LE);
    const text = decoder.decode(requests.bytes.subarray(at + REQUEST_HEADER, at + requests.length));
    requests.release();
    analyst.run(op, id, emotes, deadline, text, answer);
  }
}

// ── Main-thread side ──

const BOOTSTRAP = new URL("./sentiment-worker.mjs", import.meta.url);

/** Starts one worker thread speaking `transport`. */
export function spawnSentimentWorker(
  transport: Transport,
  handlers: ChannelHandlers,
  analyserForTest?: string,
): WorkerChannel {
  let setup: WorkerSetup = { transport, analyser: analyserForTest };
  let requests: RingWriter | undefined;
  let answers: RingReader | undefined;
  if (transport === "ring") {
    setup = { ...setup, requests: createRingBuffer(REQUEST_RING_BYTES), answers: createRingBuffer(ANSWER_RING_BYTES) };
    requests = new RingWriter(setup.requests!);
    answers = new RingReader(setup.answers!);
  }
  // No inherited execArgv: the bootstrap registers tsx itself, and a second copy of tsx's hooks
  // (inherited from `tsx main.ts`) would only slow the start.
  const worker = new Worker(BOOTSTRAP, { execArgv: [], workerData: setup });
  // Safe to unref: while a request is pending, the pool's timeout timer keeps the process alive.
  worker.unref();
  let alive = true;
  let failure: Error | undefined;
  worker.on("error", (err) => {
    failure = err;
  });
  worker.on("exit", () => {
    alive = false;
    // Settles a pending waitAsync so the answer pump does not linger.
    answers?.wake();
    handlers.exit(failure);
  });
  worker.on("message", (message: unknown) => {
    if (message === "ready") return handlers.ready();
    if (message instanceof Float64Array) {
      for (let i = 0; i < message.length; i += 4) {
        handlers.answer(message[i]!, decodeSentiment(message[i + 1]!, message[i + 2]!, message[i + 3]!));
      }
    }
  });
  const terminate = async (): Promise<void> => {
    await worker.terminate();
  };
  if (requests && answers) return ringChannel(requests, answers, handlers, () => alive, terminate);

  return {
    maxText: Number.POSITIVE_INFINITY,
    send(ops) {
      const nums = new Float64Array(ops.length * 4);
      const texts = new Array<string>(ops.length);
      ops.forEach((op, i) => {
        nums[i * 4] = op.op;
        nums[i * 4 + 1] = op.id;
        nums[i * 4 + 2] = op.emotes;
        nums[i * 4 + 3] = op.deadline;
        texts[i] = op.text;
      });
      worker.postMessage({ nums, texts } satisfies PostedOps, [nums.buffer]);
      return ops.length;
    },
    terminate,
  };
}

function ringChannel(
  requests: RingWriter,
  answers: RingReader,
  handlers: ChannelHandlers,
  alive: () => boolean,
  terminate: () => Promise<void>,
): WorkerChannel {
  const encoder = new TextEncoder();
  const rv = requests.view;
  const av = answers.view;
  const drain = (): void => {
    for (let at = answers.read(); at >= 0; at = answers.read()) {
      const id = av.getUint32(at, LE);
      const label = av.getInt8(at + 4);
      const score = av.getFloat64(at + 5, LE);
      const tags = av.getUint32(at + 13, LE);
      answers.release();
      handlers.answer(id, decodeSentiment(label, score, tags));
    }
    answers.notifySpace();
  };
  const pump = (): void => {
    while (alive()) {
      drain();
      const wake = answers.waitAsync();
      if (wake) {
        void wake.then(pump);
        return;
      }
    }
  };
  pump();
  return {
    maxText: Math.floor((requests.maxPayload - REQUEST_HEADER) / 3),
    send(ops) {
      let sent = 0;
      for (const op of ops) {
        // encodeInto writes at most 3 bytes per UTF-16 unit.
        const max = REQUEST_HEADER + op.text.length * 3;
        const at = requests.reserve(max);
        if (at < 0) break;
        rv.setUint8(at, op.op);
        rv.setInt32(at + 1, op.emotes, LE);
        rv.setUint32(at + 5, op.id, LE);
        rv.setFloat64(at + 9, op.deadline, LE);
        const { written } = encoder.encodeInto(op.text, requests.bytes.subarray(at + REQUEST_HEADER, at + max));
        requests.commit(REQUEST_HEADER + written);
        sent++;
      }
      if (sent > 0) requests.notify();
      return sent;
    },
    terminate,
    collect(until, done) {
      for (;;) {
        drain();
        if (done() || !alive()) return;
        const left = until - wallNow();
        if (left <= 0) return;
        answers.wait(left);
      }
    },
  };
}
