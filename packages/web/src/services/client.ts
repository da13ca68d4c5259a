/**
 * The page's one connection to the server. Every request and every socket frame of the UI goes
 * through this `ChorusClient` (packages/client); components never call `fetch` themselves.
 *
 * No token is ever written to storage: the server also sets an httpOnly session cookie, which
 * the browser sends with same-origin requests and with the WebSocket upgrade, so a reload stays
 * signed in without giving injected script anything to steal.
 */
import { ChorusClient, type FetchLike } from "@chorus/client";
import { useSiteBanNotice } from "../store/site-bans";

const ME_PATH = "/api/me";
/** Whether the `GET /api/me` of `checkSiteBan` is under way. */
let probing = false;

/**
 * Every REST answer passes here on its way to the SDK, so a site-wide ban is noticed wherever
 * it first shows. A 403 `banned` is either a site ban (every request of the account or
 * address refused) or a channel ban (only that channel's chat): the code is the same, so the
 * answer of `GET /api/me`, which only a site ban refuses, tells them apart.
 */
const watchForSiteBan: FetchLike = async (url, init) => {
  const response = await globalThis.fetch(url, init);
  const isMe = new URL(url).pathname === ME_PATH;
  if (response.status === 403 || isMe) void inspectAnswer(isMe, response.status, response.clone());
  return response;
};

export const client = new ChorusClient({
  baseUrl: window.location.origin,
  fetch: watchForSiteBan,
  // A chat reader wants to be back quickly after a restart or a network change; the jitter
  // still spreads a crowd of viewers over the window.
  reconnect: { baseMs: 500, capMs: 8_000 },
});

// After sleep or a network change, do not wait out the backoff or the next ping: reconnect
// (or check the socket) now, and the resume by seq fills in whatever was missed.
window.addEventListener("online", () => client.wake());
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") client.wake();
});

/**
 * Asks the server whether this browser is banned from the site (the socket was closed, or a
 * request was refused `banned`); the answer reaches the notice through `watchForSiteBan`.
 * One question at a time: a ban refuses every request the page makes at once.
 */
export function checkSiteBan(): void {
  if (probing) return;
  probing = true;
  void client
    .me()
    .catch(() => undefined)
    .finally(() => {
      probing = false;
    });
}

async function inspectAnswer(isMe: boolean, status: number, response: Response): Promise<void> {
  const refusal = bannedUntil(await response.text().catch(() => ""));
  if (!isMe) {
    if (refusal !== undefined) checkSiteBan();
    return;
  }
  if (refusal !== undefined) useSiteBanNotice.setState({ notice: { until: refusal } });
  // Signed in or plainly signed out: whatever ban there was is over.
  else if (status === 200 || status === 401) useSiteBanNotice.setState({ notice: null });
}

/** For an error body `{error: {code: "banned", until}}`: `until` (null: until lifted); otherwise undefined. */
function bannedUntil(text: string): number | null | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = isRecord(body) ? body["error"] : undefined;
  if (!isRecord(error) || error["code"] !== "banned") return undefined;
  const until = error["until"];
  return typeof until === "number" && Number.isFinite(until) ? until : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
