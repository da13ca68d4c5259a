/**
 * Platform badges in our badge set. Every platform names the same few things differently:
 * Twitch `name/version` (`subscriber/12`, with the months from badge-info), YouTube's author
 * flags (`owner`, `moderator`, `member/6`, `verified`), Kick's (`broadcaster`, `og`,
 * `subscriber/3`). Ours: `broadcaster`, `moderator`, `vip`, `subscriber[/months]`, `founder`,
 * `member[/months]`, `verified`, `og`, `staff`, `partner`, `turbo`, `prime`; anything else is
 * dropped (an unknown badge would render as nothing in a client anyway). The strongest badge
 * also gives the author a role, which decides the same exemptions as for native chatters.
 */
import type { Role } from "@chorus/protocol";

/** Badge name (lower-case, before `/`) on the platform → our name; `months` keeps the version as months. */
interface Mapping {
  name: string;
  months?: true;
}

// One table serves every platform: their vocabularies do not collide.
const BADGES: Record<string, Mapping> = {
  broadcaster: { name: "broadcaster" },
  owner: { name: "broadcaster" },
  moderator: { name: "moderator" },
  mod: { name: "moderator" },
  vip: { name: "vip" },
  subscriber: { name: "subscriber", months: true },
  sub: { name: "subscriber", months: true },
  founder: { name: "founder" },
  member: { name: "member", months: true },
  sponsor: { name: "member", months: true },
  verified: { name: "verified" },
  partner: { name: "partner" },
  staff: { name: "staff" },
  admin: { name: "staff" },
  global_mod: { name: "staff" },
  og: { name: "og" },
  turbo: { name: "turbo" },
  premium: { name: "prime" },
  prime: { name: "prime" },
};

/** Badges that count for a role, strongest first. */
const ROLE_OF: ReadonlyArray<[string, Role]> = [
  ["broadcaster", "owner"],
  ["moderator", "moderator"],
  ["vip", "vip"],
  ["subscriber", "subscriber"],
  ["founder", "subscriber"],
  ["member", "subscriber"],
];

export interface NormalizedBadges {
  badges: string[];
  role: Role;
}

export function normalizeBadges(raw: readonly string[] | undefined): NormalizedBadges {
  const badges: string[] = [];
  const seen = new Set<string>();
  for (const badge of raw ?? []) {
    const [rawName = "", version] = badge.trim().toLowerCase().split("/", 2);
    const mapping = BADGES[rawName];
    if (!mapping || seen.has(mapping.name)) continue;
    seen.add(mapping.name);
    const months = mapping.months && version !== undefined && /^\d{1,4}$/.test(version) ? Number(version) : 0;
    badges.push(months > 0 ? `${mapping.name}/${months}` : mapping.name);
  }
  const role = ROLE_OF.find(([name]) => seen.has(name))?.[1] ?? "viewer";
  return { badges, role };
}
