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
    case "mode_restricted":
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
