/** Who a chat mode lets through, by channel role (admins always). See the README's exemption table. */
import { ROLE_RANK, type Role } from "@chorus/protocol";
import type { DraftAuthor } from "../../chat/draft.js";

export function atLeast(author: DraftAuthor, role: Role): boolean {
  return author.user.isAdmin || ROLE_RANK[author.role] >= ROLE_RANK[role];
}
