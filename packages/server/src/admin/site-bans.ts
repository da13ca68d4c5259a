/**
 * Site-wide bans (admins): an account, everywhere — its sessions stop authenticating and its
 * logins are refused — or an address range, for every request and connection from it. Every
 * node keeps the active bans in memory (a ban is looked up on each request: no store read). A
 * change travels on the bus with the ban itself and is applied on receipt — no store read
 * between the admin's answer and the ban holding on another node — then the list is reloaded
 * behind it. The announcing node awaits the publish. Open connections the ban covers are closed
 * by the listeners (the gateways).
 */
import { randomUUID } from "node:crypto";
import type { SiteBan } from "@chorus/protocol";
import { AppError, forbidden, invalid, notFound } from "../errors.js";
import type { SiteBanRecord, Store, UserRecord } from "../ports/store.js";
import { type AddressRange, parseRange } from "./address-ranges.js";

export interface SiteBanInput {
  username?: string | undefined;
  cidr?: string | undefined;
  reason?: string | undefined;
  durationSec?: number | undefined;
}

/** Most active site bans; each is checked on every request from an address. */
export const SITE_BANS_MAX = 10_000;

export class SiteBans {
  private byUser = new Map<string, SiteBanRecord>();
  private ranges: Array<{ ban: SiteBanRecord; range: AddressRange }> = [];
  private readonly changeListeners = new Set<() => void>();
  private announce: (added: SiteBanRecord | null, liftedId: string | null) => Promise<void> = async () => undefined;

  constructor(private readonly store: Store) {}

  /** Loads the active bans (at start, and whenever a node says they changed). */
  async reload(): Promise<void> {
    const active = await this.store.siteBans.active(Date.now());
    const byUser = new Map<string, SiteBanRecord>();
    const ranges: Array<{ ban: SiteBanRecord; range: AddressRange }> = [];
    for (const ban of active) {
      if (ban.kind === "account" && ban.userId !== null) byUser.set(ban.userId, ban);
      const range = ban.kind === "address" && ban.cidr !== null ? parseRange(ban.cidr) : null;
      if (range) ranges.push({ ban, range });
    }
    this.byUser = byUser;
    this.ranges = ranges;
    this.notify();
  }

  /** A change another node (or this one) announced: applied at once, then the list reloaded. */
  apply(added: SiteBanRecord | null, liftedId: string | null): Promise<void> {
    if (liftedId !== null) {
      for (const [userId, ban] of this.byUser) if (ban.id === liftedId) this.byUser.delete(userId);
      this.ranges = this.ranges.filter((r) => r.ban.id !== liftedId);
    }
    if (added?.kind === "account" && added.userId !== null) this.byUser.set(added.userId, added);
    const range = added?.kind === "address" && added.cidr !== null ? parseRange(added.cidr) : null;
    if (added && range && !this.ranges.some((r) => r.ban.id === added.id)) this.ranges.push({ ban: added, range });
    this.notify();
    return this.reload();
  }

  /** How a change reaches every node (the bus); set once at start. */
  announceWith(announce: (added: SiteBanRecord | null, liftedId: string | null) => Promise<void>): void {
    this.announce = announce;
  }

  /** Called on every node after the bans were reloaded: close what they now cover. */
  onChanged(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** The ban covering this account now, if any. */
  forUser(userId: string): SiteBanRecord | null {
    const ban = this.byUser.get(userId);
    return ban && isActive(ban) ? ban : null;
  }

  /** The ban covering this address now, if any. */
  forAddress(address: string): SiteBanRecord | null {
    if (this.ranges.length === 0) return null;
    for (const { ban, range } of this.ranges) if (isActive(ban) && range.contains(address)) return ban;
    return null;
  }

  /** Throws 403 `banned` when the account or the address is banned. */
  check(user: { id: string } | null, address: string | null): void {
    const ban = (user ? this.forUser(user.id) : null) ?? (address !== null ? this.forAddress(address) : null);
    if (ban) throw bannedError(ban);
  }

  list(): SiteBan[] {
    const all = [...this.byUser.values(), ...this.ranges.map((r) => r.ban)].filter(isActive);
    return all.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)).map(toSiteBan);
  }

  async create(admin: UserRecord, input: SiteBanInput, adminAddress: string): Promise<SiteBan> {
    const hasUser = input.username !== undefined;
    const hasRange = input.cidr !== undefined;
    if (hasUser === hasRange) throw invalid("give either username or cidr");
    if (this.byUser.size + this.ranges.length >= SITE_BANS_MAX)
      throw invalid(`at most ${SITE_BANS_MAX} site bans; lift some first`);
    const now = Date.now();
    const base = {
      id: randomUUID(),
      reason: input.reason?.trim() || null,
      by: admin.username,
      at: now,
      until: input.durationSec === undefined ? null : now + input.durationSec * 1000,
    };
    let record: SiteBanRecord;
    if (hasUser) {
      const target = await this.store.users.byUsername((input.username ?? "").trim().toLowerCase());
      if (!target) throw notFound("user");
      if (target.isAdmin) throw forbidden("admins cannot be banned; take the admin role away first");
      record = { ...base, kind: "account", userId: target.id, username: target.username, cidr: null };
    } else {
      const range = parseRange(input.cidr ?? "");
      if (!range) throw invalid("cidr must be an IPv4 or IPv6 address or range, such as 203.0.113.0/24");
      // An admin who bans their own address locks themselves (and the admin page) out.
      if (range.contains(adminAddress)) throw invalid("this range contains your own address");
      record = { ...base, kind: "address", userId: null, username: null, cidr: range.cidr };
    }
    await this.store.siteBans.add(record);
    await this.apply(record, null);
    await this.announce(record, null);
    return toSiteBan(record);
  }

  async lift(id: string): Promise<void> {
    if (!(await this.store.siteBans.remove(id))) throw notFound("site ban");
    await this.apply(null, id);
    await this.announce(null, id);
  }

  private notify(): void {
    for (const listener of this.changeListeners) listener();
  }
}

function isActive(ban: SiteBanRecord): boolean {
  return ban.until === null || ban.until > Date.now();
}

function toSiteBan(ban: SiteBanRecord): SiteBan {
  return {
    id: ban.id,
    kind: ban.kind,
    username: ban.username,
    cidr: ban.cidr,
    reason: ban.reason,
    by: ban.by,
    at: ban.at,
    until: ban.until,
  };
}

export function bannedError(ban: SiteBanRecord): AppError {
  return new AppError(
    "banned",
    ban.kind === "account" ? "this account is banned from the site" : "your address is banned from the site",
    undefined,
    ban.until,
  );
}
