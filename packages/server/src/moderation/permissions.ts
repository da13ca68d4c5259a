/**
 * The one table of who may do what in a channel (role × action → allowed). Every moderation
 * route, WebSocket op and shortcut asks here; a denied action is `forbidden`. Global admins
 * may do everything. Actions on a person also need rank over them: moderators cannot act on
 * the owner or on each other; the owner can act on everyone but themself.
 */
import { ROLE_RANK, type Role } from "@chorus/protocol";
import type { ChannelState } from "../channels/channel-cache.js";
import { roleOf } from "../chat/permissions.js";
import { forbidden } from "../errors.js";
import type { UserRecord } from "../ports/store.js";

export const MOD_ACTIONS = [
  "delete_message",
  "clear_chat",
  "timeout",
  "ban",
  "unban",
  "view_bans",
  "view_modlog",
  "review_held",
  "set_role",
  "restrict",
] as const;
export type ModAction = (typeof MOD_ACTIONS)[number];

/** The lowest channel role that may take each action. */
export const MIN_ROLE: Readonly<Record<ModAction, Role>> = {
  delete_message: "moderator",
  clear_chat: "moderator",
  timeout: "moderator",
  ban: "moderator",
  unban: "moderator",
  view_bans: "moderator",
  view_modlog: "moderator",
  review_held: "moderator",
  set_role: "owner",
  restrict: "moderator",
};

/** Actions aimed at a person, which need rank over them. */
export const ON_A_PERSON: ReadonlySet<ModAction> = new Set(["timeout", "ban", "unban", "set_role", "restrict"]);

export function allowed(role: Role, isAdmin: boolean, action: ModAction): boolean {
  return isAdmin || ROLE_RANK[role] >= ROLE_RANK[MIN_ROLE[action]];
}

/** Whether an actor of this role may act on a person holding `target`. */
export function outranks(actor: Role, actorIsAdmin: boolean, target: Role, targetIsAdmin: boolean): boolean {
  if (actorIsAdmin) return true;
  if (targetIsAdmin) return false;
  return ROLE_RANK[actor] > ROLE_RANK[target];
}

/** Throws `forbidden` unless `user` may take `action` in the channel (on `target`, if given). */
export function authorize(channel: ChannelState, user: UserRecord, action: ModAction, target?: UserRecord): void {
  const role = roleOf(channel, user);
  if (!allowed(role, user.isAdmin, action)) {
    throw forbidden(`${MIN_ROLE[action]}s${MIN_ROLE[action] === "owner" ? "" : " and above"} only`);
  }
  if (target && ON_A_PERSON.has(action)) {
    if (target.id === user.id) throw forbidden("you cannot do that to yourself");
    if (!outranks(role, user.isAdmin, roleOf(channel, target), target.isAdmin)) {
      throw forbidden("you cannot act on someone of your rank or above");
    }
  }
}
