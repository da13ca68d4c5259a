/** Turning stored users into the public `user` of docs/api.md, and naming rules. */
import { USERNAME_RE, type User } from "@chorus/protocol";
import { invalid } from "../errors.js";
import type { UserRecord } from "../ports/store.js";

// Twitch's default name colours: readable on dark and light backgrounds.
const PALETTE = [
  "#FF0000",
  "#0000FF",
  "#008000",
  "#B22222",
  "#FF7F50",
  "#9ACD32",
  "#FF4500",
  "#2E8B57",
  "#DAA520",
  "#D2691E",
  "#5F9EA0",
  "#1E90FF",
  "#FF69B4",
  "#8A2BE2",
  "#00FF7F",
];

export function colorFor(username: string): string {
  let h = 0;
  for (let i = 0; i < username.length; i++) h = (h * 31 + username.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length] as string;
}

export function toPublicUser(u: UserRecord): User {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    color: u.color,
    isAdmin: u.isAdmin,
    isGuest: u.isGuest,
    createdAt: u.createdAt,
  };
}

/** Validates a requested name: case-insensitive input, stored lower-case, casing kept for display. */
export function parseUsername(raw: unknown, field = "username"): { username: string; displayName: string } {
  if (typeof raw !== "string") throw invalid(`${field} must be a string`);
  const displayName = raw.trim();
  const username = displayName.toLowerCase();
  if (!USERNAME_RE.test(username)) throw invalid(`${field} must be 3–25 characters of a–z, 0–9 and _`);
  return { username, displayName };
}
