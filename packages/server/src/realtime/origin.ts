/**
 * Origin checks for cookie-authenticated requests (CSRF) and WebSocket upgrades (cross-site
 * WebSocket hijacking). A request's own site — scheme and host, as the client used them — is
 * always allowed; other origins only if configured. Forwarded headers (`X-Forwarded-Host`,
 * `X-Forwarded-Proto`) say what the client used only when they come from a trusted proxy
 * (`TRUST_PROXY`); from anyone else they are the attacker's words.
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import proxyAddr from "@fastify/proxy-addr";

/** The scheme and host a client addressed. */
export interface RequestSite {
  protocol: "http" | "https";
  host: string | undefined;
}

export function isAllowedOrigin(headers: IncomingHttpHeaders, site: RequestSite, allowed: readonly string[]): boolean {
  const origin = headers.origin;
  if (origin === undefined) {
    // No Origin: only a same-origin navigation or a non-browser client. Fetch metadata, when
    // present, still tells a cross-site request apart.
    const fetchSite = headers["sec-fetch-site"];
    return fetchSite === undefined || fetchSite === "same-origin" || fetchSite === "none";
  }
  if (origin === "null") return false;
  if (allowed.includes(origin)) return true;
  if (site.host === undefined) return false;
  try {
    const url = new URL(origin);
    // http://site and https://site are different origins: a page served over plain HTTP (or a
    // man in the middle of it) must not ride on the HTTPS site's cookie.
    return url.host === site.host && url.protocol === `${site.protocol}:`;
  } catch {
    return false;
  }
}

/** Whether a peer address is a proxy we trust, from `TRUST_PROXY` (as Fastify reads it). */
export type ProxyTrust = (address: string, hop: number) => boolean;

export function proxyTrust(trustProxy: boolean | string): ProxyTrust {
  if (trustProxy === true) return () => true;
  if (trustProxy === false) return () => false;
  return proxyAddr.compile(trustProxy.split(",").map((a) => a.trim()));
}

/** The site a raw request (a WebSocket upgrade) addressed; Fastify's `request.host` and `request.protocol` for others. */
export function siteOf(req: IncomingMessage, trust: ProxyTrust): RequestSite {
  const encrypted = (req.socket as Partial<TLSSocket>).encrypted === true;
  const fromProxy = trust(req.socket.remoteAddress ?? "", 0);
  const forwardedHost = fromProxy ? first(req.headers["x-forwarded-host"]) : undefined;
  const forwardedProto = fromProxy ? first(req.headers["x-forwarded-proto"]) : undefined;
  const protocol =
    forwardedProto === "https" || forwardedProto === "http" ? forwardedProto : encrypted ? "https" : "http";
  return { protocol, host: forwardedHost ?? req.headers.host };
}

function first(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  const head = raw?.split(",")[0]?.trim();
  return head === "" ? undefined : head;
}

/**
 * The token of an `Authorization: Bearer <token>` header (the scheme in any case, RFC 9110);
 * null for any other scheme or an empty token — a malformed header is an error, never anonymous.
 */
export function bearerToken(header: string): string | null {
  const match = /^bearer[ \t]+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
