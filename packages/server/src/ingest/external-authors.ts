/**
 * Identities for the authors of ingested messages: `login@platform`, created in the store the
 * first time a platform user is seen (so a moderator can ban them, find them in the modlog and
 * open their card like anyone's) and remembered per node afterwards. The `@` keeps them apart
 * from native usernames, which cannot contain it, so no one can sign in as one.
 */
import type { IngestItem, IngestPlatform } from "@chorus/protocol";
import { colorFor } from "../auth/users.js";
import type { ExternalAuthor } from "../chat/draft.js";
import type { Store, UserRecord } from "../ports/store.js";
import { normalizeBadges } from "./badges.js";

const REMEMBERED = 50_000;
const HEX_COLOR = /^#[0-9a-f]{6}$/i;
// Control and bidi-override characters never reach a display name.
const UNSAFE_IN_NAMES = /[\p{Cc}\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/gu;
const DISPLAY_NAME_MAX = 25;

export class ExternalAuthors {
  private readonly known = new Map<string, UserRecord>();

  constructor(private readonly store: Store) {}

  async author(platform: IngestPlatform, item: IngestItem): Promise<ExternalAuthor> {
    const login = cleanName(item.username).toLowerCase().replace(/ /g, "_");
    const username = `${login}@${platform}`;
    const user = await this.identity(username);
    const { badges, role } = normalizeBadges(item.badges);
    const displayName = [...cleanName(item.displayName ?? item.username)].slice(0, DISPLAY_NAME_MAX).join("") || login;
    return {
      kind: "external",
      user,
      role,
      exempt: false,
      platform,
      displayName,
      color: item.color !== undefined && HEX_COLOR.test(item.color) ? item.color.toUpperCase() : user.color,
      badges,
      externalId: item.username.trim(),
    };
  }

  private async identity(username: string): Promise<UserRecord> {
    const cached = this.known.get(username);
    if (cached) return cached;
    const user = await this.store.users.ensure({
      // The same id on every node for the same platform user: concurrent first messages agree.
      id: `x:${username}`,
      username,
      displayName: username,
      color: colorFor(username),
      passwordHash: null,
      isAdmin: false,
      isGuest: false,
      createdAt: Date.now(),
    });
    this.known.set(username, user);
    if (this.known.size > REMEMBERED) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
    return user;
  }
}

function cleanName(raw: string): string {
  return raw.normalize("NFC").replace(UNSAFE_IN_NAMES, "").trim().replace(/\s+/g, " ");
}
