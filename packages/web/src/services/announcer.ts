/**
 * Screen-reader announcements for new chat messages, throttled: a live region that changed on
 * every message would make a busy chat unusable with a screen reader (each update interrupts
 * or queues behind the last). At most one announcement per `INTERVAL_MS`: the message itself
 * when it was the only one, otherwise a count and the latest.
 */
import type { Message } from "@chorus/protocol";
import { formatCount } from "../lib/format";
import { useAnnouncement } from "../store/announcer";

const INTERVAL_MS = 5_000;
const MAX_CHARS = 140;

let count = 0;
let latest: Message | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let lastAnnounced = 0;

export function announceMessage(message: Message): void {
  count++;
  latest = message;
  if (timer !== undefined) return;
  timer = setTimeout(publish, Math.max(0, lastAnnounced + INTERVAL_MS - Date.now()));
}

/** Forgets what was queued (leaving a channel). */
export function resetAnnouncements(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  count = 0;
  latest = undefined;
  useAnnouncement.setState({ text: "" });
}

function publish(): void {
  timer = undefined;
  const message = latest;
  if (!message || count === 0) return;
  const said = `${message.author.displayName}: ${truncate(message.text)}`;
  const text = count === 1 ? said : `${formatCount(count)} new messages. Latest, ${said}`;
  count = 0;
  latest = undefined;
  lastAnnounced = Date.now();
  useAnnouncement.setState({ text });
}

function truncate(text: string): string {
  return text.length <= MAX_CHARS ? text : `${text.slice(0, MAX_CHARS - 1)}…`;
}
