import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyzeSentiment } from "./analyzer.js";

const BIN = fileURLToPath(new URL("../../bin/chorus-sentiment.mjs", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const NUMERIC = { positive: "1", neutral: "0", negative: "-1" } as const;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real bin in a child process, feeding `input` to its stdin in pieces. */
function run(input: string, args: string[] = [], command: string[] = [process.execPath, BIN]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [file, ...pre] = command as [string, ...string[]];
    const child = spawn(file, [...pre, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }),
    );
    // Several writes, split mid-line, so the CLI has to join lines across chunks.
    const step = Math.max(1, Math.ceil(input.length / 7));
    for (let i = 0; i < input.length; i += step) child.stdin.write(input.slice(i, i + step));
    child.stdin.end();
  });
}

const expected = (text: string) => NUMERIC[analyzeSentiment(text).label];

describe("chorus-sentiment CLI", () => {
  it("prints one label per line, in input order, across mixed inputs", async () => {
    const texts = [
      "KEKW that was so bad",
      "LETS GOOOO PogChamp",
      "what rank is he",
      "!uptime",
      "you suck, uninstall",
      "great play Kappa",
      "not bad at all",
      "😍😍",
      "hola a todos",
      'line with a\nnewline inside and a "quote"',
    ];
    const { code, stdout, stderr } = await run(`${texts.map((t) => JSON.stringify(t)).join("\n")}\n`);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const lines = stdout.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toEqual(texts.map(expected));
    // The labels themselves, not only agreement with the library.
    expect(lines.slice(0, 7)).toEqual(["-1", "1", "0", "0", "-1", "-1", "1"]);
  });

  it("prints 0 for blank and invalid lines, keeps alignment, and says so once on stderr", async () => {
    const input = [
      JSON.stringify("love this stream"),
      "",
      "not json at all",
      JSON.stringify({ text: "an object" }),
      "42",
      JSON.stringify("this is garbage"),
      "   ",
      '"unterminated',
      JSON.stringify("gg"),
    ].join("\r\n");
    const { code, stdout, stderr } = await run(input);
    expect(code).toBe(0);
    expect(stdout.split("\n").slice(0, -1)).toEqual(["1", "0", "0", "0", "0", "-1", "0", "0", "1"]);
    expect(stderr.match(/chorus-sentiment:/g)).toHaveLength(1);
    expect(stderr).toContain("line 2");
  });

  it("prints the full sentiment object with --json", async () => {
    const texts = ["you're so good LETS GO", "is this ranked?", "trash streamer"];
    const { stdout } = await run(`${texts.map((t) => JSON.stringify(t)).join("\n")}\nnope\n`, ["--json"]);
    const objects = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as unknown);
    expect(objects).toEqual([...texts.map((t) => analyzeSentiment(t)), { label: "neutral", score: 0, tags: [] }]);
  });

  it("streams 100,000 lines through, every one answered in order", { timeout: 120_000 }, async () => {
    const pool = [
      "PogChamp PogChamp",
      "this is so boring",
      "what game is this",
      "OMEGALUL",
      "you're trash",
      "love you <3",
      "!discord",
      "not good",
    ];
    const texts: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      texts.push(i % 11 === 0 ? `${pool[i % pool.length]} ${i}` : (pool[i % pool.length] as string));
    }
    const input = `${texts.map((t) => JSON.stringify(t)).join("\n")}\n`;
    const { code, stdout, stderr } = await run(input);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const lines = stdout.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(100_000);
    for (let i = 0; i < lines.length; i += 997) expect(lines[i], `line ${i + 1}`).toBe(expected(texts[i] as string));
    expect(lines.at(-1)).toBe(expected(texts.at(-1) as string));
    expect(new Set(lines)).toEqual(new Set(["1", "0", "-1"]));
  });

  it("answers as npx chorus-sentiment from the repository root", async () => {
    const linked = `${ROOT}node_modules/.bin/chorus-sentiment`;
    expect(existsSync(linked)).toBe(true);
    const { code, stdout } = await run(`${JSON.stringify("PogChamp")}\n${JSON.stringify("Sadge")}\n`, [], [linked]);
    expect(code).toBe(0);
    expect(stdout).toBe("1\n-1\n");
  });

  it("refuses an unknown flag", async () => {
    const { code, stderr } = await run("", ["--nope"]);
    expect(code).toBe(2);
    expect(stderr).toContain("usage");
  });
});
