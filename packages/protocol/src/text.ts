/**
 * Text hygiene applied to every message before anything is stored (and usable by clients
 * to pre-validate). Order matters: NFC first so that composed characters count once, then
 * strip invisible bidi/zero-width tricks, then cap combining marks, then measure.
 */
import { LIMITS } from "./limits.js";

export type NormalizeResult = { ok: true; text: string } | { ok: false; reason: string };

// Bidi embeddings/overrides (U+202A–202E) and isolates (U+2066–2069) let a message
// reorder the text around it; they are stripped, never rendered.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
// C0 and C1 controls (including tab and newline: chat lines are single-line) and DEL.
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
// Zero-width characters. ZWJ (U+200D) survives only between two pictographs, where it
// forms an emoji sequence such as 👩‍💻.
const ALWAYS_INVISIBLE = /[\u200B\u200C\u2060\uFEFF]/g;
const ZWJ = "\u200D";
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
// What may stand between a pictograph and the ZWJ that joins it: a variation selector or a
// skin-tone modifier.
const EMOJI_MODIFIER = /[\uFE0F\u{1F3FB}-\u{1F3FF}]/u;
const COMBINING_RUN = /\p{M}+/gu;
const MAX_INPUT_CODE_UNITS = LIMITS.messageMaxChars * 8;

export function normalizeMessageText(input: unknown, maxChars: number = LIMITS.messageMaxChars): NormalizeResult {
  if (typeof input !== "string") return { ok: false, reason: "text must be a string" };
  if (input.length > MAX_INPUT_CODE_UNITS) return { ok: false, reason: `text exceeds ${maxChars} characters` };
  if (CONTROL.test(input)) return { ok: false, reason: "text contains control characters" };
  // Judged on the input: stripping an invisible character from between two halves would
  // otherwise pair them into a character the sender never wrote.
  if (!input.isWellFormed()) return { ok: false, reason: "text is not valid Unicode" };
  let text = input.normalize("NFC");
  text = stripStrayJoiners(text.replace(BIDI_CONTROLS, "").replace(ALWAYS_INVISIBLE, ""));
  text = text.replace(COMBINING_RUN, (run) => {
    const marks = Array.from(run);
    return marks.length > LIMITS.maxCombiningMarks ? marks.slice(0, LIMITS.maxCombiningMarks).join("") : run;
  });
  // Stripping can bring a base letter and a mark together again: compose once more.
  text = text.normalize("NFC").trim();
  const length = codePointLength(text);
  if (length === 0) return { ok: false, reason: "text is empty" };
  if (length > maxChars) return { ok: false, reason: `text exceeds ${maxChars} characters` };
  return { ok: true, text };
}

export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function stripStrayJoiners(text: string): string {
  if (!text.includes(ZWJ)) return text;
  const chars = Array.from(text);
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch !== ZWJ) {
      out += ch;
      continue;
    }
    let back = i - 1;
    while (back >= 0 && EMOJI_MODIFIER.test(chars[back] as string)) back--;
    const before = back >= 0 && PICTOGRAPH.test(chars[back] as string);
    const after = i + 1 < chars.length && PICTOGRAPH.test(chars[i + 1] as string);
    if (before && after) out += ch;
  }
  return out;
}

/** `@name` mentions in a text, lower-cased and de-duplicated. */
export function extractMentions(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/(?:^|[^\w@])@([A-Za-z0-9_]{3,25})\b/g)) {
    const name = match[1];
    if (name) found.add(name.toLowerCase());
  }
  return [...found];
}
