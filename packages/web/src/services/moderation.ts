/**
 * Moderation transport for the open channel: finds out whether the signed-in user may moderate
 * it, follows the log's moderation events for the user's own ban or timeout, and runs the
 * moderators' actions through the SDK.
 *
 * Whether the user may moderate: an admin (`user.isAdmin`) and the owner (`channel.ownerId`)
 * are known from data the page already has. A moderator role is not on any resource the page
 * reads, so the page asks `GET /bans` once per channel and user: 200 means they may moderate,
 * 403 that they may not. After that, the role on the user's own messages (their author
 * badges) keeps it current when the owner promotes or demotes them while the page is open.
 */
import { type AssignableRole, type ChannelBan, ChorusError, type ModlogQuery } from "@chorus/client";
import type { ChannelEvent, Message, ModlogEntry } from "@chorus/protocol";
import { ROLE_RANK } from "@chorus/protocol";
import { ADMIN_RANK, formatDuration, type Sanction, sanctionActive } from "../lib/moderation";
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
      moderationActions.setModerator(null);
      return;
    }
    if (user.isAdmin) {
      moderationActions.setModerator({ username: user.username, rank: ADMIN_RANK });
      return;
    }
    if (info === null) return; // the owner is known once the channel has loaded
    if (info.ownerId === user.id) {
      moderationActions.setModerator({ username: user.username, rank: ROLE_RANK.owner });
      return;
    }
    if (probed === user.id) return;
    probed = user.id;
    const mine = ++serial;
    client.listBans(channel).then(
      () => {
        if (mine === serial) moderationActions.setModerator({ username: user.username, rank: ROLE_RANK.moderator });
      },
      () => {
        // 403 (or anything else): no moderation controls; the server would refuse them anyway.
        if (mine === serial) moderationActions.setModerator(null);
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
    moderationActions.reset(null);
  };
}

/** Called for each of the user's own messages: their role there is their current role. */
export function noteOwnMessage(message: Message): void {
  const user = useSession.getState().user;
  if (user === null || user.isAdmin || message.author.id !== user.id) return;
  const { moderator } = useModeration.getState();
  if (moderator?.rank === ROLE_RANK.owner) return;
  const isModerator = message.author.role === "moderator";
  if (isModerator && moderator === null)
    moderationActions.setModerator({ username: user.username, rank: ROLE_RANK.moderator });
  if (!isModerator && moderator !== null) moderationActions.setModerator(null);
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
