/**
 * The page's one connection to the server. Every request and every socket frame of the UI goes
 * through this `ChorusClient` (packages/client); components never call `fetch` themselves.
 *
 * No token is ever written to storage: the server also sets an httpOnly session cookie, which
 * the browser sends with same-origin requests and with the WebSocket upgrade, so a reload stays
 * signed in without giving injected script anything to steal.
 */
import { ChorusClient } from "@chorus/client";

export const client = new ChorusClient({
  baseUrl: window.location.origin,
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
