import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRingBuffer, RingReader, RingWriter } from "./ring-buffer.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes `text` as one record; false when the ring is too full. */
function write(writer: RingWriter, text: string): boolean {
  const max = text.length * 3;
  const at = writer.reserve(max);
  if (at < 0) return false;
  const { written } = encoder.encodeInto(text, writer.bytes.subarray(at, at + max));
  writer.commit(written);
  return true;
}

function read(reader: RingReader): string | undefined {
  const at = reader.read();
  if (at < 0) return undefined;
  const text = decoder.decode(reader.bytes.subarray(at, at + reader.length));
  reader.release();
  return text;
}

function ring(capacity: number): { writer: RingWriter; reader: RingReader } {
  const buffer = createRingBuffer(capacity);
  return { writer: new RingWriter(buffer), reader: new RingReader(buffer) };
}

describe("ring buffer", () => {
  it("is empty until something is committed, and a reservation alone publishes nothing", () => {
    const { writer, reader } = ring(64);
    expect(reader.read()).toBe(-1);
    expect(writer.reserve(8)).toBeGreaterThanOrEqual(0);
    expect(reader.read()).toBe(-1);
    writer.commit(0);
    expect(reader.read()).toBeGreaterThanOrEqual(0);
    expect(reader.length).toBe(0);
  });

  it("wraps around the end of the region, every payload contiguous and intact", () => {
    const { writer, reader } = ring(128);
    const offsets: number[] = [];
    for (let i = 0; i < 200; i++) {
      const text = "x".repeat(i % 23) + String(i);
      const at = writer.reserve(text.length);
      expect(at).toBeGreaterThanOrEqual(0);
      offsets.push(at);
      encoder.encodeInto(text, writer.bytes.subarray(at, at + text.length));
      writer.commit(text.length);
      expect(read(reader)).toBe(text);
    }
    // The write position went back to the start many times.
    const wraps = offsets.filter((at, i) => i > 0 && at < offsets[i - 1]!).length;
    expect(wraps).toBeGreaterThan(10);
  });

  it("refuses a record when full and takes it once the reader has freed room", () => {
    const { writer, reader } = ring(64);
    const written: string[] = [];
    for (let i = 0; write(writer, `m${i}`); i++) written.push(`m${i}`);
    // 64 bytes hold a few 8-byte records (length word + padded payload), never all 64.
    expect(written.length).toBeGreaterThan(2);
    expect(written.length).toBeLessThan(8);
    expect(write(writer, "more")).toBe(false);
    // Freed room is taken as soon as there is enough of it in one piece (at the end or, wrapped, at the start).
    const drained: string[] = [];
    while (!write(writer, "more")) {
      const text = read(reader);
      expect(text).toBeDefined();
      drained.push(text!);
    }
    expect(drained.length).toBeGreaterThan(0);
    expect(drained.length).toBeLessThan(written.length);
    for (let text = read(reader); text !== undefined; text = read(reader)) drained.push(text);
    expect(drained).toEqual([...written, "more"]);
  });

  it("does not sleep in waitForSpace when the reader freed room after the refused reserve (no lost wake-up)", () => {
    const { writer, reader } = ring(64);
    let filled = 0;
    while (write(writer, "fill")) filled++;
    expect(filled).toBeGreaterThan(1);
    expect(writer.reserve(12)).toBe(-1);
    read(reader);
    read(reader);
    const started = performance.now();
    // Node lets the main thread Atomics.wait; a lost wake-up would sleep the whole 5 s.
    writer.waitForSpace(5_000);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(writer.reserve(12)).toBeGreaterThanOrEqual(0);
  });

  it("takes the largest record in an empty ring wherever its position, and throws for a larger one", () => {
    const { writer, reader } = ring(256);
    for (let shift = 0; shift < 64; shift++) {
      expect(write(writer, "s".repeat(shift % 13))).toBe(true);
      read(reader);
      const at = writer.reserve(writer.maxPayload);
      expect(at).toBeGreaterThanOrEqual(0);
      writer.commit(writer.maxPayload);
      expect(reader.read()).toBe(at);
      expect(reader.length).toBe(writer.maxPayload);
      reader.release();
    }
    expect(() => writer.reserve(writer.maxPayload + 1)).toThrow(RangeError);
  });

  it("rejects misuse: commit without reserve, commit beyond the reservation, release without read", () => {
    const { writer, reader } = ring(64);
    expect(() => writer.commit(1)).toThrow();
    writer.reserve(4);
    expect(() => writer.commit(5)).toThrow(RangeError);
    expect(() => reader.release()).toThrow();
    expect(() => createRingBuffer(66)).toThrow(RangeError);
  });

  it("carries multi-byte UTF-8 (accents, CJK, emoji, surrogate pairs) across the wrap", () => {
    const { writer, reader } = ring(160);
    const lines = [
      "héllo wörld",
      "漢字かな交じり",
      "PogChamp 🎉🔥💯",
      "👩‍👩‍👧‍👦 family",
      "ﬁ ligature ∑",
      "a\u0301 combining",
    ];
    for (let round = 0; round < 30; round++) {
      for (const line of lines) {
        expect(write(writer, line)).toBe(true);
        expect(read(reader)).toBe(line);
      }
    }
  });

  it("behaves like a FIFO queue for any interleaving of writes and reads", () => {
    const command = fc.oneof(
      fc.record({ write: fc.string({ unit: "binary", maxLength: 40 }) }),
      fc.constant({ read: true as const }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 80 }), fc.array(command, { maxLength: 300 }), (words, commands) => {
        const { writer, reader } = ring(words * 4);
        const model: string[] = [];
        for (const c of commands) {
          if ("write" in c) {
            if (c.write.length * 3 > writer.maxPayload) continue;
            if (write(writer, c.write)) model.push(c.write);
            // Refused only when there really is not room: an empty ring takes any allowed record.
            else expect(model.length).toBeGreaterThan(0);
          } else {
            expect(read(reader)).toBe(model.shift());
          }
        }
        for (let text = read(reader); text !== undefined; text = read(reader)) expect(text).toBe(model.shift());
        expect(model).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("moves 20,000 messages to another thread and back in order (Atomics.wait / waitAsync)", async () => {
    const there = createRingBuffer(1024);
    const back = createRingBuffer(512);
    const ringUrl = new URL("./ring-buffer.ts", import.meta.url).href;
    // An echo thread: each record from `there` is copied to `back`.
    const echo = new Worker(
      `(async () => {
        const { register } = await import("tsx/esm/api");
        register();
        const { RingReader, RingWriter } = await import(${JSON.stringify(ringUrl)});
        const { workerData } = require("node:worker_threads");
        const input = new RingReader(workerData.there);
        const output = new RingWriter(workerData.back);
        for (;;) {
          const at = input.read();
          if (at < 0) { output.notify(); input.wait(); continue; }
          let out = output.reserve(input.length);
          while (out < 0) { output.notify(); output.waitForSpace(10_000); out = output.reserve(input.length); }
          output.bytes.set(input.bytes.subarray(at, at + input.length), out);
          output.commit(input.length);
          input.release();
        }
      })();`,
      { eval: true, execArgv: [], workerData: { there, back } },
    );
    try {
      const writer = new RingWriter(there);
      const reader = new RingReader(back);
      const texts = Array.from({ length: 20_000 }, (_, i) => `${i} ${"é🎉".repeat(i % 7)}${"word ".repeat(i % 11)}`);
      const received: string[] = [];
      let sent = 0;
      while (received.length < texts.length) {
        while (sent < texts.length && write(writer, texts[sent]!)) sent++;
        writer.notify();
        for (let text = read(reader); text !== undefined; text = read(reader)) received.push(text);
        reader.notifySpace();
        if (received.length < texts.length) await reader.waitAsync();
      }
      expect(received).toEqual(texts);
    } finally {
      await echo.terminate();
    }
  });
});
