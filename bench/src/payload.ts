/**
 * The bench message text: `bench <n> <sentAtMs> <filler>`, padded to a fixed size.
 *
 * The send time is wall-clock epoch milliseconds with microsecond decimals, taken from
 * `performance.timeOrigin + performance.now()`: every process on the machine reads the same
 * system clock, so a subscriber in another process can subtract it from its own reading.
 * The filler is ordinary words so that no text filter (repeated characters, spam,
 * whitespace collapsing) changes the message.
 */

const FILLER = "the quick brown fox jumps over the lazy dog while chat scrolls past at a steady pace and nobody minds ";

/** Epoch milliseconds with sub-millisecond resolution. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function makeText(n: number, sentAtMs: number, size: number): string {
  const head = `bench ${n} ${sentAtMs.toFixed(3)} `;
  if (head.length >= size) return head.trimEnd();
  let filler = "";
  while (head.length + filler.length < size) filler += FILLER;
  return (head + filler.slice(0, size - head.length)).trimEnd();
}

export interface ParsedText {
  n: number;
  sentAtMs: number;
}

const HEAD = /^bench (\d+) (\d+(?:\.\d+)?)(?: |$)/;

/** The number and send time of a bench message, or undefined for any other text. */
export function parseText(text: string): ParsedText | undefined {
  const m = HEAD.exec(text);
  if (!m) return undefined;
  return { n: Number(m[1]), sentAtMs: Number(m[2]) };
}
