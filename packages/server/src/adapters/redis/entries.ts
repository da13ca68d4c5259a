/** Stream entries ⇄ logged events. Entry ids are `<seq>-0`, so a seq range is an id range. */
import type { EventDraft, LoggedEvent } from "@chorus/protocol";
import { stampSeq } from "../../chat/events.js";

export interface StreamEntry {
  seq: number;
  event: LoggedEvent;
  dedupKey: string | null;
}

/** Parses one XRANGE/XREAD entry `[id, [field, value, …]]`; null for anything malformed. */
export function parseEntry(channel: string, raw: unknown): StreamEntry | null {
  if (!Array.isArray(raw) || typeof raw[0] !== "string" || !Array.isArray(raw[1])) return null;
  const seq = Number.parseInt(raw[0], 10);
  const fields = raw[1] as unknown[];
  const get = (name: string): string | undefined => {
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return String(fields[i + 1]);
    return undefined;
  };
  const type = get("t");
  const at = Number(get("a"));
  const data = get("d");
  if (!Number.isSafeInteger(seq) || type === undefined || data === undefined || !Number.isFinite(at)) return null;
  try {
    const draft = { type, at, data: JSON.parse(data) } as EventDraft;
    const key = get("k");
    return { seq, event: stampSeq(channel, seq, draft), dedupKey: key ? key : null };
  } catch {
    return null;
  }
}

export function parseEntries(channel: string, raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: StreamEntry[] = [];
  for (const item of raw) {
    const entry = parseEntry(channel, item);
    if (entry) out.push(entry);
  }
  return out;
}
