/**
 * IRC messages as Twitch sends them over its IRC-over-WebSocket interface: IRCv3 message tags
 * (`@key=value;…`, values escaped as the IRCv3 spec says), an optional `:prefix`, the command
 * and its parameters, the last of which may be a `:trailing` one holding spaces.
 *
 * Written here rather than taken from npm: the parsers there either ignore tags
 * (slate-irc-parser), are unmaintained with old stream dependencies (irc-message), or come
 * only as part of a whole client (ircv3, which @twurple/chat builds on). The grammar is small.
 */

export interface IrcMessage {
  /** Tag values unescaped; a tag without `=` has the value "". A Map: keys are remote input. */
  tags: Map<string, string>;
  /** `nick!user@host` or a server name, without the colon; null when the line has none. */
  prefix: string | null;
  /** Upper-cased (`PRIVMSG`, `001`). */
  command: string;
  /** Every parameter in order; a trailing parameter (`:…`) is the last one, spaces kept. */
  params: string[];
}

const TAG_UNESCAPES: Record<string, string> = { ":": ";", s: " ", "\\": "\\", r: "\r", n: "\n" };

/**
 * Unescapes a tag value (IRCv3 message-tags): `\:` `;`, `\s` space, `\\` backslash, `\r`, `\n`;
 * any other escaped character stands for itself, and a lone backslash at the end is dropped.
 */
export function unescapeTagValue(value: string): string {
  if (!value.includes("\\")) return value;
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char !== "\\") {
      out += char;
      continue;
    }
    i++;
    if (i >= value.length) break;
    const next = value[i]!;
    out += TAG_UNESCAPES[next] ?? next;
  }
  return out;
}

/** The inverse of unescapeTagValue, for writing lines (the test stand-in of Twitch uses it). */
export function escapeTagValue(value: string): string {
  return value.replace(/[\\; \r\n]/g, (char) => {
    switch (char) {
      case "\\":
        return "\\\\";
      case ";":
        return "\\:";
      case " ":
        return "\\s";
      case "\r":
        return "\\r";
      default:
        return "\\n";
    }
  });
}

function parseTags(raw: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of raw.split(";")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq === -1) tags.set(part, "");
    else tags.set(part.slice(0, eq), unescapeTagValue(part.slice(eq + 1)));
  }
  return tags;
}

/** Index of the next non-space character at or after `from` (the line's length if none). */
function skipSpaces(line: string, from: number): number {
  let i = from;
  while (i < line.length && line[i] === " ") i++;
  return i;
}

/** Index of the next space at or after `from` (the line's length if none). */
function nextSpace(line: string, from: number): number {
  const i = line.indexOf(" ", from);
  return i === -1 ? line.length : i;
}

/**
 * Parses one line (without its line ending; a stray `\r` or `\n` at the end is ignored).
 * Returns null for a line that holds no command: empty, or tags/prefix only.
 */
export function parseIrcLine(input: string): IrcMessage | null {
  const line = input.replace(/[\r\n]+$/, "");
  let i = skipSpaces(line, 0);
  let tags = new Map<string, string>();
  if (line[i] === "@") {
    const end = nextSpace(line, i);
    tags = parseTags(line.slice(i + 1, end));
    i = skipSpaces(line, end);
  }
  let prefix: string | null = null;
  if (line[i] === ":") {
    const end = nextSpace(line, i);
    prefix = line.slice(i + 1, end);
    i = skipSpaces(line, end);
  }
  const commandEnd = nextSpace(line, i);
  const command = line.slice(i, commandEnd).toUpperCase();
  if (command === "") return null;
  const params: string[] = [];
  i = skipSpaces(line, commandEnd);
  while (i < line.length) {
    if (line[i] === ":") {
      params.push(line.slice(i + 1));
      break;
    }
    const end = nextSpace(line, i);
    params.push(line.slice(i, end));
    i = skipSpaces(line, end);
  }
  return { tags, prefix, command, params };
}

/**
 * The lines of one WebSocket frame. Twitch sends whole lines, each ended by `\r\n`, several to
 * a frame when it has several; a frame is never split mid-line, so no state is carried over.
 */
export function splitIrcLines(frame: string): string[] {
  return frame.split(/\r?\n/).filter((line) => line !== "");
}

/** The nick of a `nick!user@host` prefix (null for a server prefix such as `tmi.twitch.tv`). */
export function prefixNick(prefix: string | null): string | null {
  if (prefix === null) return null;
  const bang = prefix.indexOf("!");
  if (bang > 0) return prefix.slice(0, bang);
  const at = prefix.indexOf("@");
  if (at > 0) return prefix.slice(0, at);
  return null;
}

/**
 * Writes one line (without the line ending). The last parameter is written as a trailing one
 * when it needs to be (empty, holds a space, or starts with `:`) or when `trailing` says so.
 */
export function formatIrcLine(message: {
  tags?: Iterable<readonly [string, string]>;
  prefix?: string | null;
  command: string;
  params?: readonly string[];
  trailing?: boolean;
}): string {
  const parts: string[] = [];
  if (message.tags !== undefined) {
    const tags = [...message.tags].map(([key, value]) => `${key}=${escapeTagValue(value)}`);
    if (tags.length > 0) parts.push(`@${tags.join(";")}`);
  }
  if (message.prefix) parts.push(`:${message.prefix}`);
  parts.push(message.command);
  const params = message.params ?? [];
  params.forEach((param, index) => {
    const last = index === params.length - 1;
    if (/[\r\n\0]/.test(param)) throw new Error("an IRC parameter cannot hold a line break or NUL");
    if (!last && (param === "" || param.includes(" ") || param.startsWith(":"))) {
      throw new Error(`IRC parameter ${JSON.stringify(param)} may only be the last one`);
    }
    const asTrailing =
      last && (message.trailing === true || param === "" || param.includes(" ") || param.startsWith(":"));
    parts.push(asTrailing ? `:${param}` : param);
  });
  return parts.join(" ");
}
