/**
 * Link policy: a message with a link (a URL, or a bare domain such as `example.com`, as
 * linkify sees them) is refused with 400 `spam` unless its author's role is at least the
 * channel's `linksMinRole` (VIP by default; admins always may).
 */
import * as linkify from "linkifyjs";
import { type Check, PASS, reject } from "../../chat/pipeline.js";
import { AppError } from "../../errors.js";
import { atLeast } from "./exempt.js";

// linkify costs 10–40 µs a message; most chat has no dot before a letter (a domain ends in
// letters) and no `://`, so this cheap test keeps it off the common path (numbers such as
// 3.14 or a timestamp's decimals included). linkify itself ignores bare IP addresses.
const MAYBE_LINK = /[\p{L}\p{N}][.。．｡]\p{L}|:\/\//u;

export function containsLink(text: string): boolean {
  return MAYBE_LINK.test(text) && linkify.find(text, "url").length > 0;
}

export const linksCheck: Check = {
  name: "links",
  run({ channel, author, text }) {
    const minRole = channel.record.settings.linksMinRole;
    if (minRole === "viewer" || atLeast(author, minRole) || !containsLink(text)) return PASS;
    return reject(new AppError("spam", `links are not allowed in this chat below ${minRole}`));
  },
};
