/**
 * Why a send failed, in words a chatter understands, and until when the send box should wait.
 * Takes the fields of a `ChorusError` (code, status, message, retryAfterMs). Pure.
 */
export interface SendErrorLike {
  code: string;
  status: number;
  message: string;
  retryAfterMs?: number | undefined;
}

export interface SendProblem {
  text: string;
  /** Epoch ms before which sending again is pointless (rate limit, slow mode, timeout). */
  until?: number;
  /** The server was never reached: the same nonce must be used to retry. */
  retry?: boolean;
  /** The session is gone: sign in again. */
  signedOut?: boolean;
}

export function describeSendError(error: SendErrorLike, now: number): SendProblem {
  const until = error.retryAfterMs !== undefined ? now + error.retryAfterMs : undefined;
  const wait = (text: string, fallbackMs: number): SendProblem => ({ text, until: until ?? now + fallbackMs });
  switch (error.code) {
    case "rate_limited":
      return wait("You are sending messages too quickly.", 5_000);
    case "slow_mode":
      return wait("Slow mode is on.", 5_000);
    case "timed_out":
      return until === undefined ? { text: "You are timed out in this channel." } : wait("You are timed out.", 0);
    case "banned":
      return { text: "You are banned from this channel." };
    case "unauthorized":
      return { text: "Your session has ended. Sign in again to chat.", signedOut: true };
    case "payload_too_large":
      return { text: "That message is too long." };
    case "spam":
      return { text: `Not sent: ${sentence(error.message, false)}` };
    case "blocked_term":
      return { text: "Not sent: your message contains a word or phrase this channel does not allow." };
    case "mode_restricted":
      // The server names the mode ("this chat is in followers-only mode: 9 min to chat"); the
      // account-age and guest cool-down refusals also say how long to wait.
      return until === undefined ? { text: sentence(error.message) } : wait(sentence(error.message), 0);
    case "forbidden":
    case "invalid_request":
    case "not_found":
    case "conflict":
      return { text: error.message };
    default:
      if (error.status === 0)
        return { text: "Not sent: the server could not be reached. Press Enter to try again.", retry: true };
      return { text: `Not sent: ${error.message}`, retry: error.code === "unavailable" };
  }
}

/** What the composer says when moderation holds a sent message for review. */
export const HELD_NOTICE =
  "Your message is being reviewed by the moderators. It appears in the chat if they approve it.";

/** A server message as a sentence: capital first letter (unless `capital` is false), closing full stop. */
export function sentence(text: string, capital = true): string {
  const t = text.trim();
  if (t === "") return t;
  const first = capital ? t.charAt(0).toUpperCase() : t.charAt(0);
  const s = first + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}
