/**
 * Site-wide bans for admins (docs/api.md "Administration"): list, add by account or address
 * range, lift. The SDK has no helpers for these routes yet, so they go through its public
 * `request`, which still maps every error answer to a `ChorusError`.
 */
import { ChorusError } from "@chorus/client";
import type { SiteBan } from "@chorus/protocol";
import { useSiteBans } from "../store/site-bans";
import { client } from "./client";

/** Where the admin page lives (the server answers every GET outside /api with the app). */
export const SITE_BANS_PATH = "/admin/bans";

export const isSiteBansPath = (pathname: string): boolean => pathname.replace(/\/+$/, "") === SITE_BANS_PATH;

export type SiteBanTarget = { kind: "account"; username: string } | { kind: "address"; cidr: string };

export interface NewSiteBan {
  target: SiteBanTarget;
  reason: string;
  /** Seconds; null for a ban that lasts until it is lifted. */
  durationSec: number | null;
}

export type BanResult = { ok: true; ban: SiteBan } | { ok: false; error: string };
export type LiftResult = { ok: true } | { ok: false; error: string };

export async function loadSiteBans(): Promise<void> {
  try {
    const { bans } = await client.request<{ bans: SiteBan[] }>("GET", "/api/admin/bans");
    useSiteBans.setState({ bans, loadError: null });
  } catch (error) {
    useSiteBans.setState({ loadError: describe(error, "The bans could not be loaded.") });
  }
}

export async function addSiteBan(input: NewSiteBan): Promise<BanResult> {
  const body: { username?: string; cidr?: string; reason?: string; durationSec?: number } =
    input.target.kind === "account" ? { username: input.target.username.trim() } : { cidr: input.target.cidr.trim() };
  const reason = input.reason.trim();
  if (reason !== "") body.reason = reason;
  if (input.durationSec !== null) body.durationSec = input.durationSec;
  try {
    const { ban } = await client.request<{ ban: SiteBan }>("POST", "/api/admin/bans", body);
    useSiteBans.setState((s) => ({ bans: [...(s.bans ?? []).filter((b) => b.id !== ban.id), ban] }));
    return { ok: true, ban };
  } catch (error) {
    if (error instanceof ChorusError && error.code === "not_found" && input.target.kind === "account")
      return { ok: false, error: `There is no account named “${input.target.username.trim()}”.` };
    return { ok: false, error: describe(error, "The ban could not be added. Try again.") };
  }
}

export async function liftSiteBan(id: string): Promise<LiftResult> {
  try {
    await client.request<undefined>("DELETE", `/api/admin/bans/${encodeURIComponent(id)}`);
  } catch (error) {
    // Lifted by another admin, or run out, meanwhile: the list was out of date.
    if (!(error instanceof ChorusError && error.code === "not_found"))
      return { ok: false, error: describe(error, "The ban could not be lifted. Try again.") };
    void loadSiteBans();
  }
  useSiteBans.setState((s) => ({ bans: s.bans?.filter((b) => b.id !== id) ?? null }));
  return { ok: true };
}

/** The server's own words (they say what was wrong: "this range contains your own address"). */
function describe(error: unknown, fallback: string): string {
  if (!(error instanceof ChorusError)) return fallback;
  if (error.status === 0) return "The server could not be reached. Try again.";
  if (error.code === "unauthorized") return "Your session has ended. Sign in again.";
  return error.message;
}
