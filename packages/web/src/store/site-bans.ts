/**
 * Site-wide bans: the admin page's list (written by services/admin-bans.ts) and, for anyone,
 * whether this browser is banned from the site (written by services/client.ts, which sees
 * every answer of the server).
 */
import type { SiteBan } from "@chorus/protocol";
import { create } from "zustand";

export interface SiteBansState {
  /** The active bans, oldest first; null until the first load answered. */
  bans: SiteBan[] | null;
  /** Why the list could not be loaded. */
  loadError: string | null;
}

export const useSiteBans = create<SiteBansState>(() => ({ bans: null, loadError: null }));

export interface SiteBanNotice {
  /** When the ban ends (ms since the epoch), null until an admin lifts it. */
  until: number | null;
}

/** Set while the server refuses this browser's account or address site-wide. */
export const useSiteBanNotice = create<{ notice: SiteBanNotice | null }>(() => ({ notice: null }));
