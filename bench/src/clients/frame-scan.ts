/**
 * A fast reader for the one frame shape that dominates a fan-out run: a JSON array of
 * `{"op":"event",…}` objects as Chorus (and the ws peers) write them. At 200k deliveries/s
 * `JSON.parse` of every frame was the load generator's largest cost (profile: ~half of a
 * worker's JavaScript time), and the generator shares this machine's two cores with the
 * server it measures, so every microsecond it spends is taken from the measurement.
 *
 * It extracts only what the tracker needs — each event's envelope `seq`, its `type`, and a
 * message's text head (`bench <n> <sentAt>`) — and answers `undefined` for anything it is not
 * sure about (another op in the frame, escapes in a text, an unexpected layout), in which case
 * the caller parses the frame with JSON.parse as before. Never wrong, sometimes slow.
 */

export interface ScannedEvent {
  /** The envelope's seq; undefined for ephemeral events (viewer counts…). */
  seq: number | undefined;
  type: string;
  /** The text of a message event, when it is a plain string (no escapes). */
  text: string | undefined;
}

const EVENT = '{"op":"event",';
const OP = '"op":"';
const SEQ = '"seq":';
const TYPE = '"type":"';
const TEXT = '"text":"';
const DATA = '"data":';

/** Events of `channel` in a frame made only of such events, or undefined to fall back to JSON.parse. */
export function scanEventFrame(raw: string, channel: string): ScannedEvent[] | undefined {
  const channelField = `"channel":${JSON.stringify(channel)}`;
  if (!raw.startsWith(`[${EVENT}`) || !raw.endsWith("]")) return undefined;
  const events: ScannedEvent[] = [];
  let start = 1;
  while (start < raw.length - 1) {
    if (!raw.startsWith(EVENT, start)) return undefined;
    const next = raw.indexOf(`,${EVENT}`, start + EVENT.length);
    const end = next === -1 ? raw.length - 1 : next;
    const event = scanEvent(raw, start, end, channelField);
    if (!event) return undefined;
    events.push(event);
    start = end + 1;
  }
  // Every `"op":"` in the frame must be one of the events found: a text containing one is
  // escaped (`\"op\":\"`), so a mismatch means a frame of another shape.
  let ops = 0;
  for (let i = raw.indexOf(OP); i !== -1; i = raw.indexOf(OP, i + OP.length)) ops++;
  return ops === events.length ? events : undefined;
}

function scanEvent(raw: string, start: number, end: number, channelField: string): ScannedEvent | undefined {
  // Envelope fields come before "data" (Chorus writes op, channel, seq, type, at, data).
  const dataAt = raw.indexOf(DATA, start);
  if (dataAt === -1 || dataAt > end) return undefined;
  const channelAt = raw.indexOf(channelField, start);
  if (channelAt === -1 || channelAt > dataAt) return undefined;
  const typeAt = raw.indexOf(TYPE, start);
  if (typeAt === -1 || typeAt > dataAt) return undefined;
  const typeEnd = raw.indexOf('"', typeAt + TYPE.length);
  if (typeEnd === -1 || typeEnd > dataAt) return undefined;
  const type = raw.slice(typeAt + TYPE.length, typeEnd);
  const seqAt = raw.indexOf(SEQ, start);
  let seq: number | undefined;
  if (seqAt !== -1 && seqAt < dataAt) {
    seq = readInt(raw, seqAt + SEQ.length);
    if (seq === undefined) return undefined;
  }
  let text: string | undefined;
  if (type === "message") {
    const textAt = raw.indexOf(TEXT, dataAt);
    if (textAt === -1 || textAt > end) return undefined;
    const from = textAt + TEXT.length;
    const close = raw.indexOf('"', from);
    if (close === -1 || close > end) return undefined;
    text = raw.slice(from, close);
    if (text.includes("\\")) return undefined; // escapes: let JSON.parse decode them
  }
  return { seq, type, text };
}

function readInt(raw: string, at: number): number | undefined {
  let value = 0;
  let i = at;
  for (; i < raw.length; i++) {
    const c = raw.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    value = value * 10 + c;
  }
  return i === at ? undefined : value;
}
