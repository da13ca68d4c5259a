/** The httpOnly session cookie (docs/api.md "Auth"): name, attributes, parsing. */
export const SESSION_COOKIE = "chorus_session";

export function readCookieToken(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      try {
        return value.length > 0 ? decodeURIComponent(value) : null;
      } catch {
        return null;
      }
    }
  }
  return null;
}
