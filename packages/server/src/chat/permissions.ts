/** Who may do what in a channel. The moderation issue extends these rules; they live only here. */
import { ROLE_RANK, type Role } from "@chorus/protocol";
import type { ChannelRecord, UserRecord } from "../ports/store.js";

export interface ChannelAccess {
  record: ChannelRecord;
  roles: Map<string, Role>;
}

export function roleOf(channel: ChannelAccess, user: UserRecord): Role {
  if (channel.record.ownerId === user.id) return "owner";
  return channel.roles.get(user.id) ?? "viewer";
}

export function hasRole(channel: ChannelAccess, user: UserRecord, least: Role): boolean {
  return user.isAdmin || ROLE_RANK[roleOf(channel, user)] >= ROLE_RANK[least];
}

export function badgesFor(role: Role, user: UserRecord, isBot: boolean): string[] {
  const badges: string[] = [];
  if (user.isAdmin) badges.push("staff");
  if (role === "owner") badges.push("broadcaster");
  else if (role !== "viewer") badges.push(role);
  if (isBot) badges.push("bot");
  if (user.isGuest) badges.push("guest");
  return badges;
}
