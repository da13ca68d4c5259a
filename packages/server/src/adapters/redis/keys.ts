/**
 * Redis key layout. Every key of one channel shares the hash tag `{c:<name>}`, so a channel
 * lives in one Redis Cluster slot and the append script may touch all of its keys.
 */
export const channelKeys = (channel: string) => {
  const base = `chorus:{c:${channel}}`;
  return {
    /** The last seq handed out (INCR). */
    seq: `${base}:seq`,
    /** Seqs may be handed out up to here (a lease recorded in the store first). */
    ceiling: `${base}:ceil`,
    /** The channel log: entry id `<seq>-0`, fields t (type), a (at), d (data JSON), k (dedup key). */
    stream: `${base}:stream`,
    /** Highest seq known to be in the store (trimming never passes it). */
    persisted: `${base}:persisted`,
    /** Entries the persisters gave up on. */
    dead: `${base}:dead`,
    /** Set (for the dedup window) when the counter had to be restored: Redis lost data, so dedup keys may be gone too. */
    restored: `${base}:restored`,
    dedup: (key: string) => `${base}:dedup:${key}`,
  };
};

/** Channels that ever had an append: what the persisters scan. */
export const ACTIVE_CHANNELS_KEY = "chorus:channels";
/** Cluster-wide notifications (session revocations, channel changes). */
export const BUS_CHANNEL = "chorus:bus";
export const PERSIST_GROUP = "persist";

/** A lease's key: the holder's token, with the lease's time to live. */
export const leaseKey = (name: string) => `chorus:lease:${name}`;
/**
 * A cluster-wide Consumer group: its Redis group name on every channel stream (prefixed so
 * that it never collides with the persister's) and the key holding when it first existed.
 */
export const consumerGroupKeys = (group: string) => ({
  group: `consumer:${group}`,
  since: `chorus:consumer:${group}:since`,
});

export function channelOfStreamKey(key: string): string | null {
  const match = /^chorus:\{c:(.+)\}:stream$/.exec(key);
  return match?.[1] ?? null;
}
