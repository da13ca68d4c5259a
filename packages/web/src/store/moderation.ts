/**
 * Moderation state of the open channel: whether the signed-in user may moderate it (and at
 * which rank), their own ban or timeout, the open user card and drawer, and the last action's
 * outcome. Written by services/moderation.ts; components read with selectors.
 */
import { create } from "zustand";
import type { Moderator, Sanction } from "../lib/moderation";

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
  /** The last moderation action's outcome, for the status line. */
  notice: { ok: boolean; text: string; serial: number } | null;
}

const initial = (channel: string | null): ModerationState => ({
  channel,
  moderator: null,
  mine: null,
  changes: 0,
  card: null,
  panelOpen: false,
  notice: null,
});

export const useModeration = create<ModerationState>(() => initial(null));

export const moderationActions = {
  reset(channel: string | null): void {
    useModeration.setState(initial(channel));
  },
  setModerator(moderator: Moderator | null): void {
    const current = useModeration.getState().moderator;
    if (current?.username === moderator?.username && current?.rank === moderator?.rank) return;
    useModeration.setState(moderator ? { moderator } : { moderator: null, panelOpen: false });
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
  setPanel(panelOpen: boolean): void {
    useModeration.setState({ panelOpen });
  },
  say(ok: boolean, text: string): void {
    useModeration.setState((s) => ({ notice: { ok, text, serial: (s.notice?.serial ?? 0) + 1 } }));
  },
};
