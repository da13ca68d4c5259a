/** Reads the labelled chat lines (JSONL: one `{"text", "label"}` per line) the evaluation runs on. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SENTIMENT_LABELS, type SentimentLabel } from "@chorus/protocol";

export interface Example {
  text: string;
  label: SentimentLabel;
}

export const SPLITS = ["dev", "test"] as const;
export type Split = (typeof SPLITS)[number];

const LABELS: ReadonlySet<string> = new Set(SENTIMENT_LABELS);

export function splitPath(name: Split | "all"): string {
  return fileURLToPath(new URL(`./${name}.jsonl`, import.meta.url));
}

export function parseJsonl(source: string, where = "jsonl"): Example[] {
  const examples: Example[] = [];
  const lines = source.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim();
    if (!line) continue;
    const value: unknown = JSON.parse(line);
    if (
      typeof value !== "object" ||
      value === null ||
      !("text" in value) ||
      !("label" in value) ||
      typeof value.text !== "string" ||
      typeof value.label !== "string" ||
      !LABELS.has(value.label)
    ) {
      throw new Error(`${where}:${i + 1}: expected {"text": string, "label": positive|neutral|negative}`);
    }
    examples.push({ text: value.text, label: value.label as SentimentLabel });
  }
  return examples;
}

export function loadSplit(name: Split | "all"): Example[] {
  const path = splitPath(name);
  return parseJsonl(readFileSync(path, "utf8"), path);
}

export function toJsonl(examples: readonly Example[]): string {
  return `${examples.map((e) => JSON.stringify({ text: e.text, label: e.label })).join("\n")}\n`;
}
