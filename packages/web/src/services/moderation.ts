/**
 * Moderation transport for the open channel: finds out whether the signed-in user may moderate
 * it, follows the log's moderation events for the user's own ban or timeout, keeps the
 * moderators' review queue and suspicious-user marks live, and runs the moderators' actions
 * through the SDK.
 *
 * Whether the user may moderate, and their own ban or timeout on page load: an admin
 * (`user.isAdmin`) and the owner (`channel.ownerId`) are known from data the page already has;
 * everyone else asks `GET /me` (their standing) once per channel and user. A server without
 * that endpoint answers 404, and then the page asks `GET /bans` instead: 200 means they may
 * moderate, 403 that they may not. After that, the role on the user's own messages (their
 * author badges) keeps it current when the owner promotes or demotes them while the page is open.
 */
import {
  type AssignableRole,
  type ChannelBan,
  ChorusError,
  type ModlogQuery,
  type UserStatusOptions,
} from "@chorus/client";
import type {
  ChannelEvent,
  ChannelStanding,
  EphemeralEvent,
  HeldMessage,
  Message,
  ModlogEntry,
  UserStatus,
  UserStatusKind,
} from "@chorus/protocol";
import { ROLE_RANK } from "@chorus/protocol";
import {
  ADMIN_RANK,
  addHeld,
  formatDuration,
  type Moderator,
  originNotice,
  type Sanction,
  sanctionActive,
} from "../lib/moderation";
import { useFeed } from "../store/feed";
import { moderationActions, useModeration } from "../store/moderation";
import { useSession } from "../store/session";
import { client } from "./client";

/** Starts following `channel`'s moderation state; returns the function that stops. */
export function watchModeration(channel: string): () => void {
  moderationActions.reset(channel);
  let probed: string | null = null;
  let serial = 0;

  const evaluate = (): void => {
    const user = useSession.getState().user;
    const info = useFeed.getState().channel;
    if (user === null) {
      probed = null;
      setModerator(null);
      return;
    }
    if (user.isAdmin) {
      setModerator({ username: user.username, rank: ADMIN_RANK });
      return;
    }
    if (info === null) return; // the owner is known once the channel has loaded
    if (info.ownerId === user.id) {
      setModerator({ username: user.username, rank: ROLE_RANK.owner });
      return;
    }
    if (probed === user.id) return;
    probed = user.id;
    const mine = ++serial;
    const current = (): boolean => mine === serial;
    client.channelStanding(channel).then(
      (standing) => {
        if (!current()) return;
        setModerator(standing.canModerate ? { username: user.username, rank: standingRank(standing) } : null);
        if (standing.sanction) {
          const { kind, until, reason } = standing.sanction;
          setMine({ kind, until, reason });
        }
      },
      (error: unknown) => {
        if (!current()) return;
        if (error instanceof ChorusError && error.code === "not_found") probeBans(channel, user.username, current);
        else setModerator(null);
      },
    );
  };

  evaluate();
  const offSession = useSession.subscribe((s, prev) => {
    if (s.user?.id !== prev.user?.id || s.user?.isAdmin !== prev.user?.isAdmin) {
      moderationActions.setMine(null);
      evaluate();
    }
  });
  const offFeed = useFeed.subscribe((s, prev) => {
    if (s.channel?.ownerId !== prev.channel?.ownerId || (s.channel !== null && prev.channel === null)) evaluate();
  });
  return () => {
    serial++;
    offSession();
    offFeed();
    clearExpiry();
    heldLoad = null;
    statusLoad = null;
    moderationActions.reset(null);
  };
}

/** The fallback for a server without `GET /me`: may this user read the bans? */
function probeBans(channel: string, username: string, current: () => boolean): void {
  client.listBans(channel).then(
    () => {
      if (current()) setModerator({ username, rank: ROLE_RANK.moderator });
    },
    () => {
      // 403 (or anything else): no moderation controls; the server would refuse them anyway.
      if (current()) setModerator(null);
    },
  );
}

function standingRank(standing: ChannelStanding): number {
  return standing.role === "owner" ? ROLE_RANK.owner : ROLE_RANK.moderator;
}

/** Sets who moderates; a user who just became a moderator loads the queue and the marks. */
function setModerator(moderator: Moderator | null): void {
  const was = useModeration.getState().moderator;
  moderationActions.setModerator(moderator);
  if (was === null && moderator !== null) loadModeratorViews();
}

// ---- the review queue and the suspicious-user marks ----------------------------------------

/**
 * A load under way, with what the live events changed meanwhile: the list the server answers
 * may predate them, so they are applied again on top of it.
 */
let heldLoad: { added: HeldMessage[]; resolved: Set<string> } | null = null;
let statusLoad: { changes: Map<string, UserStatus | null> } | null = null;

/**
 * Loads (or reloads, after a reconnect: ephemeral events are not replayed) the review queue
 * and the marks, when the user moderates the open channel.
 */
export function loadModeratorViews(): void {
  const { channel, moderator } = useModeration.getState();
  if (channel === null || moderator === null) return;
  const held = { added: [] as HeldMessage[], resolved: new Set<string>() };
  heldLoad = held;
  client.listHeld(channel).then(
    (list) => {
      if (heldLoad !== held) return;
      heldLoad = null;
      let queue: readonly HeldMessage[] = list.filter((h) => !held.resolved.has(h.id));
      for (const item of held.added) if (!held.resolved.has(item.id)) queue = addHeld(queue, item);
      moderationActions.setHeld(queue);
    },
    () => {
      if (heldLoad === held) heldLoad = null;
    },
  );
  const statuses = { changes: new Map<string, UserStatus | null>() };
  statusLoad = statuses;
  client.listSuspicious(channel).then(
    (users) => {
      if (statusLoad !== statuses) return;
      statusLoad = null;
      const byName = new Map(users.map((u) => [u.username, u]));
      for (const [username, change] of statuses.changes) {
        if (change === null) byName.delete(username);
        else byName.set(username, change);
      }
      moderationActions.setSuspicious([...byName.values()]);
    },
    () => {
      // Before the server has the endpoint (404), or no longer a moderator (403): no marks.
      if (statusLoad === statuses) statusLoad = null;
    },
  );
}

/** The moderator-only events of the channel subscription. */
export function onModeratorEvent(event: EphemeralEvent): void {
  if (useModeration.getState().moderator === null) return;
  switch (event.type) {
    case "message_held": {
      const item: HeldMessage = {
        id: event.data.message.id,
        message: event.data.message,
        reasons: event.data.reasons,
        at: event.at,
      };
      heldLoad?.added.push(item);
      moderationActions.addHeld(item);
      return;
    }
    case "held_resolved":
      heldLoad?.resolved.add(event.data.id);
      moderationActions.removeHeld(event.data.id);
      moderationActions.changed(); // a new modlog line (approve_held / deny_held)
      return;
    case "user_status_changed": {
      const { username, status, by } = event.data;
      statusLoad?.changes.set(username, status === null ? null : { username, status, reason: null, by, at: event.at });
      moderationActions.setStatus(username, status, by, event.at);
      moderationActions.changed(); // a new modlog line (restrict / monitor / unrestrict)
      return;
    }
    case "origin_moderation":
      // Only the moderator who acted needs the outcome on the platform.
      if (event.data.by === useModeration.getState().moderator?.username) {
        moderationActions.say(event.data.ok, originNotice(event.data));
      }
      return;
    default:
      return;
  }
}

/** Called for each of the user's own messages: their role there is their current role. */
export function noteOwnMessage(message: Message): void {
  const user = useSession.getState().user;
  if (user === null || user.isAdmin || message.author.id !== user.id) return;
  const { moderator } = useModeration.getState();
  if (moderator?.rank === ROLE_RANK.owner) return;
  const isModerator = message.author.role === "moderator";
  if (isModerator && moderator === null) setModerator({ username: user.username, rank: ROLE_RANK.moderator });
  if (!isModerator && moderator !== null) setModerator(null);
}

/** The log's moderation events: views reload, and the user's own sanction follows. */
export function onModerationEvent(event: ChannelEvent): void {
  const me = useSession.getState().user?.username;
  switch (event.type) {
    case "user_timed_out":
      if (event.data.username === me) setMine({ kind: "timeout", until: event.data.until, reason: event.data.reason });
      break;
    case "user_banned":
      if (event.data.username === me) setMine({ kind: "ban", until: null, reason: event.data.reason });
      break;
    case "user_unbanned":
      if (event.data.username === me) setMine(null);
      break;
    case "chat_cleared":
    case "message_deleted":
      break;
    default:
      return;
  }
  moderationActions.changed();
}

/** A send was refused because of a ban or timeout: show it (keeps a known reason). */
export function reportRefusal(sanction: Sanction): void {
  const current = useModeration.getState().mine;
  setMine({ ...sanction, reason: sanction.reason ?? (current?.kind === sanction.kind ? current.reason : null) });
}

let expiry: ReturnType<typeof setTimeout> | undefined;

function clearExpiry(): void {
  if (expiry !== undefined) clearTimeout(expiry);
  expiry = undefined;
}

/** Sets the user's own sanction; a timeout clears itself when it ends. */
function setMine(sanction: Sanction | null): void {
  clearExpiry();
  const now = Date.now();
  if (!sanctionActive(sanction, now)) {
    moderationActions.setMine(null);
    return;
  }
  moderationActions.setMine(sanction);
  if (sanction.kind === "timeout" && sanction.until !== null) {
    // setTimeout holds at most ~24.8 days; a timeout lasts at most two weeks.
    expiry = setTimeout(() => {
      if (useModeration.getState().mine === sanction) moderationActions.setMine(null);
    }, sanction.until - now);
  }
}

// ---- actions -----------------------------------------------------------------------------

function channelName(): string {
  const channel = useModeration.getState().channel;
  if (channel === null) throw new Error("no channel is open");
  return channel;
}

/** Runs an action and reports its outcome in the status line; true when it succeeded. */
async function act(action: () => Promise<unknown>, done: string): Promise<boolean> {
  try {
    await action();
    moderationActions.say(true, done);
    return true;
  } catch (error) {
    moderationActions.say(false, failure(error));
    return false;
  }
}

function failure(error: unknown): string {
  if (!(error instanceof ChorusError)) return "That did not work. Try again.";
  if (error.code === "forbidden") return "You cannot do that to this user.";
  if (error.code === "not_found") return "Already gone: nothing to do.";
  return error.message;
}

export const deleteMessage = (id: string, author: string): Promise<boolean> =>
  act(() => client.deleteMessage(channelName(), id), `Deleted a message by ${author}.`);

export const timeoutUser = (username: string, seconds: number, reason?: string): Promise<boolean> =>
  act(
    () => client.timeout(channelName(), username, seconds, reason ? { reason } : {}),
    `Timed out ${username} for ${formatDuration(seconds)}.`,
  );

export const banUser = (username: string, reason?: string): Promise<boolean> =>
  act(() => client.ban(channelName(), username, reason ? { reason } : {}), `Banned ${username}.`);

export const liftBan = (username: string): Promise<boolean> =>
  act(() => client.unban(channelName(), username), `Lifted the ban or timeout of ${username}.`);

export const clearChat = (): Promise<boolean> => act(() => client.clearChat(channelName()), "Chat cleared.");

export const setRole = (username: string, role: AssignableRole): Promise<boolean> =>
  act(
    () => client.setRole(channelName(), username, role),
    role === "viewer" ? `${username} has no role now.` : `${username} is now ${role}.`,
  );

export const listBans = (): Promise<ChannelBan[]> => client.listBans(channelName());

export const readModlog = (query: ModlogQuery): Promise<ModlogEntry[]> => client.modlog(channelName(), query);

/** Publishes a held message; true when it is out of the queue (also when someone was faster). */
export async function approveHeld(id: string): Promise<boolean> {
  return resolveHeld(id, true);
}

export async function denyHeld(id: string): Promise<boolean> {
  return resolveHeld(id, false);
}

async function resolveHeld(id: string, approve: boolean): Promise<boolean> {
  const held = useModeration.getState().held.find((h) => h.id === id);
  const author = held?.message.author.username ?? "someone";
  try {
    const channel = channelName();
    if (approve) await client.approveHeld(channel, id);
    else await client.denyHeld(channel, id);
    moderationActions.removeHeld(id);
    moderationActions.say(true, approve ? `Approved ${author}'s message.` : `Denied ${author}'s message.`);
    return true;
  } catch (error) {
    if (error instanceof ChorusError && error.code === "not_found") {
      // Another moderator resolved it first; the queue follows.
      moderationActions.removeHeld(id);
      moderationActions.say(true, "Another moderator already handled that message.");
      return true;
    }
    moderationActions.say(false, failure(error));
    return false;
  }
}

const STATUS_DONE: Record<UserStatusKind, string> = {
  restricted: "is restricted: their messages wait for review.",
  monitored: "is monitored: their messages are marked for moderators.",
};

export async function setUserStatus(
  username: string,
  status: UserStatusKind,
  options: UserStatusOptions = {},
): Promise<boolean> {
  return act(async () => {
    const user = await client.setUserStatus(channelName(), username, status, options);
    moderationActions.setStatus(user.username, user.status, user.by, user.at, user.reason);
  }, `${username} ${STATUS_DONE[status]}`);
}

export async function clearUserStatus(username: string): Promise<boolean> {
  return act(async () => {
    await client.clearUserStatus(channelName(), username);
    moderationActions.setStatus(username, null, "", Date.now());
  }, `${username} is no longer restricted or monitored.`);
}
