/** Checks and clean-ups of the fields an owner sets on a channel or a broadcast. */
import { type BlockedTerm, type ChannelSettings, LIMITS, toBlockedTerms } from "@chorus/protocol";
import { invalid } from "../errors.js";

/** NFC, no control or bidi-override characters, trimmed; undefined when empty or too long. */
export function cleanTitle(title: string | undefined): string | undefined {
  if (title === undefined) return undefined;
  const t = title
    .normalize("NFC")
    .replace(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, "")
    .trim();
  return t.length === 0 || [...t].length > LIMITS.titleMaxChars ? undefined : t;
}

/** Only http(s) URLs: a YouTube page/embed or an HLS playlist. */
export function checkVideoUrl(raw: string | null): string | null {
  if (raw === null || raw === "") return null;
  if (raw.length > 2048) throw invalid("videoUrl is too long");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid("videoUrl must be a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw invalid("videoUrl must be http(s)");
  return url.toString();
}

/** Settings as a PATCH may send them: a blocked term may be a plain string (`reject`). */
export type SettingsInput = Omit<ChannelSettings, "blockedTerms"> & {
  blockedTerms: ReadonlyArray<string | BlockedTerm>;
};

/** Blocked terms trimmed, lower-cased, de-duplicated (the last action given wins), as objects. */
export function normalizeSettings(s: SettingsInput): ChannelSettings {
  return { ...s, blockedTerms: toBlockedTerms(s.blockedTerms) };
}
