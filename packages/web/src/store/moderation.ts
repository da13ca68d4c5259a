/**
 * Moderation state of the open channel: whether the signed-in user may moderate it (and at
 * which rank), their own ban or timeout, the review queue and the suspicious-user marks (for
 * moderators), the open user card and drawer, and the last action's outcome. Written by
 * services/moderation.ts; components read with selectors.
 */
import type { HeldMessage, UserStatus, UserStatusKind } from "@chorus/protocol";
import { create } from "zustand";
import { addHeld, type Moderator, removeHeld, type Sanction } from "../lib/moderation";

export const MOD_TABS = ["held", "actions", "settings", "terms", "users"] as const;
export type ModTab = (typeof MOD_TABS)[number];

export interface ModerationState {
  channel: string | null;
  /** Set when the signed-in user may moderate the open channel. */
  moderator: Moderator | null;
  /** The signed-in user's own ban or timeout here, as last learned. */
  mine: Sanction | null;
  /** Bumped on every moderation event: open views (bans, modlog) reload. */
  changes: number;
  /** The user card on screen. */
  card: { username: string } | null;
  panelOpen: boolean;
  /** The drawer's tab. */
  tab: ModTab;
  /** The last moderation action's outcome, for the status line. */
  notice: { ok: boolean; text: string; serial: number } | null;
  /** Messages waiting for review, oldest first (moderators only). */
  held: readonly HeldMessage[];
  /** Whether `held` has been loaded since the user became a moderator here. */
  heldLoaded: boolean;
  /** Restricted and monitored users by username (moderators only). */
  suspicious: Readonly<Record<string, UserStatus>>;
  /** The moderator's filter: show only first-time chatters' messages. */
  firstTimeOnly: boolean;
}

const initial = (channel: string | null): ModerationState => ({
  channel,
  moderator: null,
  mine: null,
  changes: 0,
  card: null,
  panelOpen: false,
  tab: "actions",
  notice: null,
  held: [],
  heldLoaded: false,
  suspicious: {},
  firstTimeOnly: false,
});

/** What only a moderator may hold: forgotten when the user stops being one. */
const MODERATOR_ONLY = {
  panelOpen: false,
  held: [],
  heldLoaded: false,
  suspicious: {},
  firstTimeOnly: false,
} as const satisfies Partial<ModerationState>;

export const useModeration = create<ModerationState>(() => initial(null));

/**
 * The mark on `username`, from the map's own keys only: `__proto__` and `constructor` are
 * valid usernames and also keys of every plain object, which would read as a mark.
 */
export function markOf(suspicious: ModerationState["suspicious"], username: string): UserStatus | undefined {
  return Object.hasOwn(suspicious, username) ? suspicious[username] : undefined;
}

export const moderationActions = {
  reset(channel: string | null): void {
    useModeration.setState(initial(channel));
  },
  setModerator(moderator: Moderator | null): void {
    const current = useModeration.getState().moderator;
    if (current?.username === moderator?.username && current?.rank === moderator?.rank) return;
    useModeration.setState(moderator ? { moderator } : { moderator: null, ...MODERATOR_ONLY });
  },
  setMine(mine: Sanction | null): void {
    useModeration.setState({ mine });
  },
  changed(): void {
    useModeration.setState((s) => ({ changes: s.changes + 1 }));
  },
  openCard(username: string): void {
    useModeration.setState({ card: { username } });
  },
  closeCard(): void {
    useModeration.setState({ card: null });
  },
  /** Opening the drawer while messages wait shows the queue: the badge leads there. */
  setPanel(panelOpen: boolean): void {
    useModeration.setState((s) => (panelOpen && s.held.length > 0 ? { panelOpen, tab: "held" } : { panelOpen }));
  },
  setTab(tab: ModTab): void {
    useModeration.setState({ tab });
  },
  setHeld(held: readonly HeldMessage[]): void {
    useModeration.setState({ held, heldLoaded: true });
  },
  addHeld(item: HeldMessage): void {
    useModeration.setState((s) => ({ held: addHeld(s.held, item) }));
  },
  removeHeld(id: string): void {
    useModeration.setState((s) => ({ held: removeHeld(s.held, id) }));
  },
  setSuspicious(users: readonly UserStatus[]): void {
    useModeration.setState({ suspicious: Object.fromEntries(users.map((u) => [u.username, u])) });
  },
  /** A mark set (or lifted: null) on `username`; keeps the reason of a mark it already knew. */
  setStatus(username: string, status: UserStatusKind | null, by: string, at: number, reason?: string | null): void {
    useModeration.setState((s) => {
      const previous = markOf(s.suspicious, username);
      const { [username]: _dropped, ...rest } = s.suspicious;
      if (status === null) return previous ? { suspicious: rest } : {};
      const kept = reason === undefined ? (previous?.status === status ? previous.reason : null) : reason;
      return { suspicious: { ...rest, [username]: { username, status, reason: kept, by, at } } };
    });
  },
  setFirstTimeOnly(firstTimeOnly: boolean): void {
    useModeration.setState({ firstTimeOnly });
  },
  say(ok: boolean, text: string): void {
    useModeration.setState((s) => ({ notice: { ok, text, serial: (s.notice?.serial ?? 0) + 1 } }));
  },
};
