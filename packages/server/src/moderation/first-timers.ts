/**
 * First-time chatters: a user's first message in a channel carries `firstMessage: true`, so
 * moderators can watch newcomers (raids and spam accounts arrive as first-time chatters).
 * Who has posted is remembered per node (bounded); a miss asks the store once. In a cluster
 * two nodes may both flag a user's very first messages if they arrive within the persister's
 * delay: a flag too many, never one missing for a user who never posted.
 */
import type { Store } from "../ports/store.js";

/** Channel + user pairs remembered; the oldest are forgotten first. */
const MAX_REMEMBERED = 200_000;

export class FirstTimers {
  private readonly posted = new Set<string>();

  constructor(private readonly store: Store) {}

  /** False at once for a user known to have posted here (the common case: no await). */
  known(channel: string, userId: string): boolean {
    return this.posted.has(`${channel}:${userId}`);
  }

  /** True for the user's first message in the channel; remembers them from then on. */
  async isFirst(channel: string, userId: string): Promise<boolean> {
    const key = `${channel}:${userId}`;
    if (this.posted.has(key)) return false;
    const first = !(await this.store.events.hasPosted(channel, userId));
    this.remember(key);
    return first;
  }

  private remember(key: string): void {
    this.posted.add(key);
    if (this.posted.size > MAX_REMEMBERED) {
      const oldest = this.posted.values().next().value;
      if (oldest !== undefined) this.posted.delete(oldest);
    }
  }
}
