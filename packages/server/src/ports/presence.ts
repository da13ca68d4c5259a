/**
 * Presence port: who is watching a channel. Counts are cheap and exact per node; the list
 * of chatters is bounded. Distributed adapters sum over nodes with expiring entries.
 *
 * Contract (test/contracts/presence.contract.ts): `join` / `leave` are reference counted per
 * (channel, member) — a user with two tabs is one chatter, two viewers — and `join` reports
 * whether the member was new, `leave` whether it was the last of that member.
 */
export interface PresenceMember {
  /** Connection-unique key for anonymous viewers, the user id for signed-in ones. */
  key: string;
  user: { username: string; displayName: string; role: string } | null;
}

export interface PresenceCounts {
  viewers: number;
  chatters: number;
}

export interface Presence {
  join(channel: string, member: PresenceMember): Promise<{ firstOfMember: boolean }>;
  leave(channel: string, memberKey: string): Promise<{ lastOfMember: boolean }>;
  counts(channel: string): Promise<PresenceCounts>;
  chatters(channel: string, limit: number): Promise<Array<{ username: string; displayName: string; role: string }>>;
  close(): Promise<void>;
}
