/**
 * Small display formatters. Intl formatters are built once: constructing one per call (what
 * `toLocaleTimeString` does) costs more than rendering the chat row it is for. Pure.
 */
const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/** 999 → "999", 1234 → "1.2K". */
export function formatCount(n: number): string {
  return n < 1000 ? String(n) : compact.format(n);
}

export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

const minutes = new Map<number, string>();

/** "14:05" in the reader's locale; memoised per minute (a busy chat shows many per minute). */
export function formatClock(at: number): string {
  const minute = Math.floor(at / 60_000);
  let text = minutes.get(minute);
  if (text === undefined) {
    text = clock.format(at);
    if (minutes.size >= 1_000) minutes.clear();
    minutes.set(minute, text);
  }
  return text;
}

/** Seconds left, rounded up, for countdowns ("try again in 3 s"). */
export function secondsLeft(untilMs: number, now: number): number {
  return Math.max(0, Math.ceil((untilMs - now) / 1000));
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dayAndTime = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});

/** An end time: "14:05:30" today, "Fri 5 Dec, 14:05" on another day. */
export function formatEndTime(at: number, now: number): string {
  return new Date(at).toDateString() === new Date(now).toDateString() ? timeOfDay.format(at) : dayAndTime.format(at);
}
