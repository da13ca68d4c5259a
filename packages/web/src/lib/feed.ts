/**
 * The chat feed as data: the rows a channel shows and the pure function that applies a batch
 * of changes to them. The transport (services/channel-feed.ts) turns SDK updates into
 * `FeedOp`s and applies them at most once per frame; components only render `rows`.
 *
 * Memory is bounded: a reader following the chat keeps the last `LIVE_ROWS` rows; a reader
 * who scrolled up keeps up to `PAUSED_ROWS`, so that their place does not move under them
 * while they read. Pure (no DOM): unit-tested in Node.
 */
import type { Message } from "@chorus/protocol";

/** Rows kept while the reader follows the chat: a few screens of scrollback. */
export const LIVE_ROWS = 300;
/** Rows kept while the reader has scrolled up (and the list does not move). */
export const PAUSED_ROWS = 2_000;

/** Why a message is no longer shown to viewers (moderators still see it, marked). */
export interface Removal {
  cause: "deleted" | "cleared" | "timeout" | "ban";
  /** Username of who did it, when the event says. */
  by: string | null;
}

export type FeedRow =
  | { kind: "message"; key: string; message: Message; removed: Removal | null }
  | { kind: "divider"; key: string; tone: "resumed" | "loss"; text: string }
  | { kind: "notice"; key: string; text: string; at: number };

export type FeedOp =
  /** `live`: arrived on the stream now (counts as unseen while paused), not loaded from history. */
  | { op: "message"; message: Message; live: boolean }
  | { op: "delete"; id: string; by: string }
  /** Everything so far is hidden from viewers. */
  | { op: "clear"; by: string; at: number }
  /** A ban or timeout: hide that user's messages and say so. */
  | { op: "remove_user"; username: string; cause: "timeout" | "ban"; text: string; at: number }
  | { op: "notice"; text: string; at: number }
  /** After a reconnect: messages from `fromSeq` to `toSeq` were filled in. */
  | { op: "resumed"; fromSeq: number; toSeq: number }
  /** The initial page, or the page that replaces everything after `recovered:false`. */
  | { op: "replace"; messages: readonly Message[]; lossBefore: boolean; at: number };

export interface FeedState {
  rows: readonly FeedRow[];
  /** The reader scrolled up: the list stays put and new messages are counted instead. */
  paused: boolean;
  /** Messages that arrived while paused. */
  unseen: number;
  /** Source of unique keys for dividers and notices. */
  serial: number;
}

export const EMPTY_FEED: FeedState = { rows: [], paused: false, unseen: 0, serial: 0 };

export function applyOps(state: FeedState, ops: readonly FeedOp[]): FeedState {
  if (ops.length === 0) return state;
  let rows = state.rows.slice();
  let { unseen, serial } = state;
  let lastSeq = lastMessageSeq(rows);
  const key = (prefix: string): string => `${prefix}${++serial}`;
  for (const op of ops) {
    switch (op.op) {
      case "message": {
        // The SDK already de-duplicates by seq; this only guards the history/stream seam.
        if (lastSeq !== undefined && op.message.seq <= lastSeq) break;
        lastSeq = op.message.seq;
        // A chat-delay placeholder (removed before viewers saw it) only moves the seq on.
        if (op.message.deleted) break;
        rows.push(messageRow(op.message));
        if (op.live && state.paused) unseen++;
        break;
      }
      case "delete": {
        const i = findMessage(rows, (m) => m.id === op.id);
        const row = i === -1 ? undefined : rows[i];
        if (row?.kind === "message" && !row.removed) rows[i] = { ...row, removed: { cause: "deleted", by: op.by } };
        break;
      }
      case "remove_user": {
        const removed: Removal = { cause: op.cause, by: null };
        rows = rows.map((row) =>
          row.kind === "message" && row.message.author.username === op.username && !row.removed
            ? { ...row, removed }
            : row,
        );
        rows.push({ kind: "notice", key: key("n"), text: op.text, at: op.at });
        break;
      }
      case "clear": {
        // Kept, marked: moderators still see what was cleared; viewers see only the notice.
        const removed: Removal = { cause: "cleared", by: op.by };
        rows = rows.flatMap((row) => (row.kind !== "message" ? [] : row.removed ? [row] : [{ ...row, removed }]));
        rows.push({ kind: "notice", key: key("n"), text: "Chat was cleared by a moderator", at: op.at });
        break;
      }
      case "notice":
        rows.push({ kind: "notice", key: key("n"), text: op.text, at: op.at });
        break;
      case "resumed": {
        const at = firstAtOrAfter(rows, op.fromSeq);
        const count = countMessages(rows, at, op.toSeq);
        if (count === 0) break;
        const text = `Reconnected · ${count} missed ${count === 1 ? "message" : "messages"} filled in below`;
        rows.splice(at, 0, { kind: "divider", key: key("d"), tone: "resumed", text });
        break;
      }
      case "replace": {
        const fresh: FeedRow[] = op.messages.filter((m) => !m.deleted).map(messageRow);
        if (op.lossBefore && rows.length > 0) {
          const text = "Reconnected, but some messages could not be recovered · showing the latest";
          fresh.unshift({ kind: "divider", key: key("d"), tone: "loss", text });
        }
        rows = fresh;
        lastSeq = op.messages.at(-1)?.seq ?? lastMessageSeq(rows);
        break;
      }
    }
  }
  const cap = state.paused ? PAUSED_ROWS : LIVE_ROWS;
  if (rows.length > cap) rows.splice(0, rows.length - cap);
  return { ...state, rows, unseen, serial };
}

/** Pausing keeps the place; resuming forgets the unseen count and lets the cap apply again. */
export function setPaused(state: FeedState, paused: boolean): FeedState {
  if (paused === state.paused) return state;
  if (paused) return { ...state, paused, unseen: 0 };
  const rows = state.rows.length > LIVE_ROWS ? state.rows.slice(-LIVE_ROWS) : state.rows;
  return { ...state, paused, unseen: 0, rows };
}

function messageRow(message: Message): FeedRow {
  return { kind: "message", key: `m${message.id}`, message, removed: null };
}

/**
 * The rows a reader sees: viewers do not see removed messages at all, moderators see them
 * marked. Returns `rows` itself when nothing is hidden (the common case), so that a list keyed
 * on it does not re-render for nothing. `firstTimeOnly` (a moderator's filter) keeps only the
 * messages of first-time chatters.
 */
export function visibleRows(rows: readonly FeedRow[], showRemoved: boolean, firstTimeOnly = false): readonly FeedRow[] {
  if (firstTimeOnly)
    return rows.filter(
      (row) => row.kind === "message" && row.message.firstMessage === true && (showRemoved || !row.removed),
    );
  if (showRemoved || !rows.some((row) => row.kind === "message" && row.removed)) return rows;
  return rows.filter((row) => row.kind !== "message" || !row.removed);
}

/** A user's latest messages in the loaded feed, newest last (removed ones only when `withRemoved`). */
export function recentMessagesBy(
  rows: readonly FeedRow[],
  username: string,
  limit: number,
  withRemoved: boolean,
): Message[] {
  const found: Message[] = [];
  for (let i = rows.length - 1; i >= 0 && found.length < limit; i--) {
    const row = rows[i];
    if (row?.kind !== "message" || row.message.author.username !== username) continue;
    if (row.removed && !withRemoved) continue;
    found.push(row.message);
  }
  return found.reverse();
}

/** The latest message of a user in the loaded feed (their role and badges as last seen). */
export function latestBy(rows: readonly FeedRow[], username: string): Message | undefined {
  const i = findMessage(rows, (m) => m.author.username === username);
  const row = i === -1 ? undefined : rows[i];
  return row?.kind === "message" ? row.message : undefined;
}

function lastMessageSeq(rows: readonly FeedRow[]): number | undefined {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    if (row?.kind === "message") return row.message.seq;
  }
  return undefined;
}

/** Index of the last message row matching, searching from the end (recent rows change most). */
function findMessage(rows: readonly FeedRow[], match: (m: Message) => boolean): number {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    if (row?.kind === "message" && match(row.message)) return i;
  }
  return -1;
}

/** Index of the first message row with seq ≥ `seq` (rows.length when there is none). */
function firstAtOrAfter(rows: readonly FeedRow[], seq: number): number {
  let at = rows.length;
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    if (row?.kind !== "message") continue;
    if (row.message.seq < seq) break;
    at = i;
  }
  return at;
}

function countMessages(rows: readonly FeedRow[], from: number, toSeq: number): number {
  let n = 0;
  for (let i = from; i < rows.length; i++) {
    const row = rows[i];
    if (row?.kind === "message" && row.message.seq <= toSeq) n++;
  }
  return n;
}
