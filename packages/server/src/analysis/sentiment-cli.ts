/**
 * chorus-sentiment: one JSON string per line on stdin → one label per line on stdout (1 positive,
 * 0 neutral, -1 negative), in order; `--json` prints the whole sentiment object instead. A blank
 * or invalid line prints 0 (neutral) so output lines stay aligned with input lines; stderr says so
 * once. Streams: lines are read with readline and written in chunks, honouring backpressure.
 */
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { parseArgs } from "node:util";
import type { Sentiment, SentimentLabel } from "@chorus/protocol";
import { analyzeSentiment } from "./analyzer.js";

const USAGE = `usage: chorus-sentiment [--json] < lines.jsonl

Reads one JSON string per line (e.g. "KEKW that was so bad") and prints one result per line:
  1 (positive), 0 (neutral) or -1 (negative); with --json, the sentiment object
  {"label", "score", "tags"}. Blank or invalid lines print 0 (neutral), noted once on stderr.`;

const NUMERIC: Readonly<Record<SentimentLabel, string>> = { positive: "1", neutral: "0", negative: "-1" };
const NEUTRAL: Sentiment = { label: "neutral", score: 0, tags: [] };
/** Output is written in chunks of about this many characters. */
const CHUNK = 64 * 1024;

export interface CliStreams {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** The text of a line if it is a JSON string, else undefined. */
export function parseLine(line: string): string | undefined {
  if (line.trim() === "") return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function main(
  argv: readonly string[],
  io: CliStreams = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let json = false;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
    });
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    json = values.json;
  } catch (error) {
    io.stderr.write(`chorus-sentiment: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }

  // A reader that stops early (`| head`) is not an error.
  let closed = false;
  io.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    closed = true;
  });

  let buffer = "";
  let lineNo = 0;
  let invalid = 0;
  const flush = async () => {
    if (buffer === "" || closed) return;
    const ok = io.stdout.write(buffer);
    buffer = "";
    if (!ok && !closed) await Promise.race([once(io.stdout, "drain"), once(io.stdout, "close")]);
  };

  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    lineNo++;
    const text = parseLine(line);
    if (text === undefined) {
      if (invalid++ === 0) {
        io.stderr.write(
          `chorus-sentiment: line ${lineNo} is blank or not a JSON string; printing 0 (neutral) for it and any like it\n`,
        );
      }
    }
    const sentiment = text === undefined ? NEUTRAL : analyzeSentiment(text);
    buffer += json ? `${JSON.stringify(sentiment)}\n` : `${NUMERIC[sentiment.label]}\n`;
    if (buffer.length >= CHUNK) await flush();
    if (closed) break;
  }
  await flush();
  return 0;
}
