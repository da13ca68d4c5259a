/**
 * The send box. The text stays until the server has accepted it; on failure it stays and the
 * reason is shown (with a countdown for rate limits, slow mode and the account-age modes). A
 * retry of the same text after a failure reuses its nonce, so a message that did reach the
 * server is not posted twice. A message moderation holds is accepted (the box empties) with a
 * notice that it is under review, which goes once it appears in the chat (approved). The
 * chat modes in force are named above the box, so nobody has to learn them from a refusal.
 */
import { ChorusError } from "@chorus/client";
import { LoaderCircle, SendHorizontal } from "lucide-react";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { plural, secondsLeft } from "../../lib/format";
import { sanctionFromRefusal } from "../../lib/moderation";
import { describeSendError, HELD_NOTICE, type SendProblem } from "../../lib/send-errors";
import { describeChatModes } from "../../lib/settings";
import { codePoints } from "../../lib/text";
import { newNonce, sendMessage } from "../../services/chat";
import { reportRefusal } from "../../services/moderation";
import { logout } from "../../services/session";
import { useFeed } from "../../store/feed";
import { useSession } from "../../store/session";

/** docs/api.md: 1–500 characters after normalisation. */
export const MAX_CHARS = 500;
/** The counter appears from here on. */
const COUNTER_FROM = 400;

export function Composer({ channel }: { channel: string }) {
  const user = useSession((s) => s.user);
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<SendProblem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** The id of the user's message under review, while the notice says so. */
  const [heldId, setHeldId] = useState<string | null>(null);
  const approved = useFeed(
    (s) => heldId !== null && s.rows.some((r) => r.kind === "message" && r.message.id === heldId),
  );
  const settings = useFeed((s) => s.channel?.settings);
  const modes = settings ? describeChatModes(settings) : [];
  const attempt = useRef<{ text: string; nonce: string } | null>(null);
  const now = useClock(problem?.until);
  const ids = useId();
  const length = codePoints(text.trim());
  const over = length > MAX_CHARS;
  const waitSeconds = problem?.until === undefined ? 0 : secondsLeft(problem.until, now);

  // The held message was approved: it is in the chat now, so the review notice has done its job.
  useEffect(() => {
    if (!approved) return;
    setHeldId(null);
    setNotice(null);
  }, [approved]);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const body = text.trim();
    if (body === "" || over || sending || waitSeconds > 0) return;
    const nonce = attempt.current?.text === body ? attempt.current.nonce : newNonce();
    attempt.current = { text: body, nonce };
    setSending(true);
    try {
      const result = await sendMessage(channel, body, nonce);
      attempt.current = null;
      // Keep anything typed while the message was on its way.
      setText((current) => (current === text ? "" : current));
      setProblem(null);
      setNotice(result.held ? HELD_NOTICE : null);
      setHeldId(result.held ? result.id : null);
    } catch (error) {
      const failure = error instanceof ChorusError ? error : { code: "unavailable", status: 0, message: String(error) };
      // A ban or timeout is the banner's to show (with its end); the text stays for later.
      const sanction = sanctionFromRefusal(failure, Date.now());
      if (sanction) {
        reportRefusal(sanction);
        setProblem(null);
        setNotice(null);
        return;
      }
      const described = describeSendError(failure, Date.now());
      setProblem(described);
      setNotice(null);
      setHeldId(null);
      if (described.signedOut) void logout();
    } finally {
      setSending(false);
    }
  }

  const status = problem ? (waitSeconds > 0 ? `${problem.text} Try again in ${waitSeconds} s.` : problem.text) : notice;

  return (
    <form onSubmit={submit} className="border-zinc-200 border-t p-2 dark:border-zinc-800" aria-label="Send a message">
      {modes.length > 0 && (
        <p data-testid="chat-modes" className="mb-1 px-1 text-xs text-zinc-500 dark:text-zinc-400">
          {modes.join(" · ")}
        </p>
      )}
      {status && (
        <p
          id={`${ids}-status`}
          role={problem ? "alert" : "status"}
          data-testid="send-status"
          className={`mb-2 rounded-md px-2 py-1.5 text-xs ${
            problem
              ? "bg-red-100 text-red-800 dark:bg-red-950/60 dark:text-red-200"
              : "bg-amber-100 text-amber-900 dark:bg-amber-950/60 dark:text-amber-200"
          }`}
        >
          {status}
        </p>
      )}
      <div className="flex items-center gap-2">
        <label htmlFor={`${ids}-text`} className="sr-only">
          Message
        </label>
        <input
          id={`${ids}-text`}
          data-testid="message-input"
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoComplete="off"
          enterKeyHint="send"
          placeholder={user ? `Chat as ${user.displayName}` : "Send a message"}
          aria-invalid={over || undefined}
          aria-describedby={
            [status ? `${ids}-status` : "", length >= COUNTER_FROM ? `${ids}-count` : ""].join(" ").trim() || undefined
          }
          className="min-w-0 flex-1 rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm placeholder:text-zinc-400 aria-invalid:border-red-500 dark:border-zinc-700 dark:bg-zinc-900"
        />
        <button
          type="submit"
          disabled={sending || over || waitSeconds > 0 || text.trim() === ""}
          aria-label="Send"
          className="inline-flex size-9 shrink-0 items-center justify-center rounded-md bg-violet-600 text-white hover:bg-violet-500 disabled:cursor-not-allowed disabled:opacity-50"
        >
          {sending ? (
            <LoaderCircle className="size-4 motion-safe:animate-spin" aria-hidden="true" />
          ) : (
            <SendHorizontal className="size-4" aria-hidden="true" />
          )}
        </button>
      </div>
      {length >= COUNTER_FROM && (
        <p
          id={`${ids}-count`}
          data-testid="char-count"
          className={`mt-1 text-right text-xs tabular-nums ${over ? "font-semibold text-red-600 dark:text-red-400" : "text-zinc-500"}`}
        >
          {over
            ? `${plural(length - MAX_CHARS, "character", "characters")} over the limit`
            : `${plural(MAX_CHARS - length, "character", "characters")} left`}
        </p>
      )}
    </form>
  );
}

/** Date.now(), refreshed every quarter second while `until` lies ahead (for countdowns). */
function useClock(until: number | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === undefined) return;
    setNow(Date.now());
    const timer = setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t >= until) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [until]);
  return now;
}
