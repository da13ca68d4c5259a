/** Lua scripts, run by SHA with a fallback to EVAL when Redis does not know them (after a restart). */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export class Script {
  private readonly sha: string;
  constructor(private readonly lua: string) {
    this.sha = createHash("sha1").update(lua).digest("hex");
  }

  async run(redis: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("NOSCRIPT")) {
        return redis.eval(this.lua, keys.length, ...keys, ...args);
      }
      throw error;
    }
  }
}

/**
 * Append one event atomically: dedup check, seq INCR within the lease, XADD with id `<seq>-0`,
 * remember the dedup key. Replies {0, seq} appended, {1, seq} duplicate of seq,
 * {2} no counter (Redis lost it: lease and init), {3} lease exhausted (extend the lease).
 * KEYS: seq, ceiling, stream, dedup. ARGV: type, at, data, dedupKey ('' = none), dedupTtlSec, maxLen.
 */
export const APPEND = new Script(`
if ARGV[4] ~= '' then
  local prior = redis.call('GET', KEYS[4])
  if prior then return {1, tonumber(prior)} end
end
local current = redis.call('GET', KEYS[1])
if not current then return {2} end
local ceiling = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(current) + 1 > ceiling then return {3} end
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], seq .. '-0', 't', ARGV[1], 'a', ARGV[2], 'd', ARGV[3], 'k', ARGV[4])
if ARGV[4] ~= '' then redis.call('SET', KEYS[4], seq, 'EX', ARGV[5]) end
return {0, seq}
`);

/**
 * Install a lease: start the counter at `from` if there is none, raise the ceiling (never lower it).
 * KEYS: seq, ceiling. ARGV: from, ceiling.
 */
export const INSTALL_LEASE = new Script(`
redis.call('SET', KEYS[1], ARGV[1], 'NX')
local ceiling = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[2]) > ceiling then redis.call('SET', KEYS[2], ARGV[2]) end
return 1
`);

/** Raise the persisted watermark (never lower it). KEYS: persisted. ARGV: seq. */
export const RAISE_WATERMARK = new Script(`
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1]) return tonumber(ARGV[1]) end
return current
`);
