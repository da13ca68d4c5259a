/**
 * Origin checks for cookie-authenticated requests (CSRF) and WebSocket upgrades (cross-site
 * WebSocket hijacking). A request's own host is always allowed; others only if configured.
 */
import type { IncomingHttpHeaders } from "node:http";

export function isAllowedOrigin(headers: IncomingHttpHeaders, allowed: readonly string[]): boolean {
  const origin = headers.origin;
  if (origin === undefined) {
    // No Origin: only a same-origin navigation or a non-browser client. Fetch metadata, when
    // present, still tells a cross-site request apart.
    const site = headers["sec-fetch-site"];
    return site === undefined || site === "same-origin" || site === "none";
  }
  if (origin === "null") return false;
  if (allowed.includes(origin)) return true;
  const host = headers["x-forwarded-host"] ?? headers.host;
  if (typeof host !== "string") return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
