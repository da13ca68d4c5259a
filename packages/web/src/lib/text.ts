/**
 * Splits chat text into plain text, links and @mentions. The UI renders every segment as a
 * React text node (never as HTML), so the only thing that needs policing here is which
 * strings become an `href`: only absolute http(s) URLs, re-serialised by the URL parser.
 * Pure (no DOM): unit-tested in Node.
 */
export type Segment =
  | { kind: "text"; text: string }
  | { kind: "link"; text: string; href: string }
  | { kind: "mention"; text: string; username: string };

// A URL runs to the next whitespace or quote/angle bracket; trailing sentence punctuation is
// given back to the text below.
const TOKEN = /(https?:\/\/[^\s<>"'`]+)|(?<![\w@])@([A-Za-z0-9_]{3,25})\b/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"»”’]+$/;

/** The canonical href of an http(s) URL, or undefined for anything else. */
export function safeHref(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username !== "" || url.password !== "") return undefined; // `https://bank.com@evil.example`
  return url.href;
}

export function segmentText(text: string): Segment[] {
  const out: Segment[] = [];
  let plain = "";
  let last = 0;
  const pushPlain = (s: string): void => {
    plain += s;
  };
  const flush = (): void => {
    if (plain.length > 0) out.push({ kind: "text", text: plain });
    plain = "";
  };
  for (const match of text.matchAll(TOKEN)) {
    const start = match.index;
    pushPlain(text.slice(last, start));
    const [whole, url, username] = match;
    if (url !== undefined) {
      // Keep a closing parenthesis that belongs to the URL (Wikipedia links) when it is balanced.
      let candidate = url.replace(TRAILING_PUNCTUATION, "");
      const opens = (candidate.match(/\(/g) ?? []).length;
      const closes = (candidate.match(/\)/g) ?? []).length;
      if (opens > closes && url.slice(candidate.length).startsWith(")")) candidate += ")";
      const href = safeHref(candidate);
      if (href === undefined) {
        pushPlain(whole);
      } else {
        flush();
        out.push({ kind: "link", text: candidate, href });
        pushPlain(url.slice(candidate.length));
      }
    } else if (username !== undefined) {
      flush();
      out.push({ kind: "mention", text: whole, username: username.toLowerCase() });
    }
    last = start + whole.length;
  }
  pushPlain(text.slice(last));
  flush();
  return out;
}

/** Length as the server counts it: Unicode code points. */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Whether `message` mentions `username` (the server's `mentions` list, or the text as a fallback). */
export function mentions(text: string, serverMentions: readonly string[] | undefined, username: string): boolean {
  const me = username.toLowerCase();
  if (serverMentions) return serverMentions.includes(me);
  return segmentText(text).some((s) => s.kind === "mention" && s.username === me);
}
