/**
 * The Limiter port over rate-limiter-flexible, whatever its store: one limiter per named rule,
 * a rejection becomes a decision with the wait, and a store failure becomes `onStoreError`.
 */
import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import type { LimitDecision, Limiter, LimiterRules, LimitRule, LimitUsage, NamedLimitRule } from "../ports/limiter.js";

/** Most distinct dynamic rules kept; the oldest is dropped first (each is a small object). */
const MAX_DYNAMIC_RULES = 10_000;

export class FlexibleLimiter implements Limiter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly dynamic = new Map<string, RateLimiterAbstract>();

  constructor(
    rules: LimiterRules,
    private readonly create: (name: string, rule: LimitRule) => RateLimiterAbstract,
    private readonly onStoreError: (error: unknown) => Error = (error) =>
      error instanceof Error ? error : new Error(String(error)),
  ) {
    for (const [name, rule] of Object.entries(rules)) this.limiters.set(name, create(name, rule));
  }

  async consume(rule: string | NamedLimitRule, key: string): Promise<LimitDecision> {
    const limiter = typeof rule === "string" ? this.limiters.get(rule) : this.dynamicLimiter(rule);
    if (!limiter) throw new Error(`unknown limit rule ${String(rule)}`);
    try {
      await limiter.consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes)
        return { allowed: false, retryAfterMs: Math.max(1, rejection.msBeforeNext) };
      throw this.onStoreError(rejection);
    }
  }

  async record(rule: string, key: string): Promise<LimitUsage> {
    const limiter = this.configured(rule);
    return this.storeCall(async () => usage(limiter, await limiter.penalty(key, 1)));
  }

  async peek(rule: string, key: string): Promise<LimitUsage> {
    const limiter = this.configured(rule);
    return this.storeCall(async () => usage(limiter, await limiter.get(key)));
  }

  async reset(rule: string, key: string): Promise<void> {
    const limiter = this.configured(rule);
    await this.storeCall(() => limiter.delete(key));
  }

  async block(rule: string, key: string, ms: number): Promise<void> {
    const limiter = this.configured(rule);
    // Whole seconds, rounded up: the Redis store sets `EX` in seconds, and a block under one
    // second would become a key without expiry there (blocked for ever).
    await this.storeCall(() => limiter.block(key, Math.max(1, Math.ceil(ms / 1000))));
  }

  private configured(rule: string): RateLimiterAbstract {
    const limiter = this.limiters.get(rule);
    if (!limiter) throw new Error(`unknown limit rule ${rule}`);
    return limiter;
  }

  private async storeCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.onStoreError(error);
    }
  }

  /** The store keys carry points and duration, so a changed rule starts a fresh budget. */
  private dynamicLimiter(rule: NamedLimitRule): RateLimiterAbstract {
    const id = `${rule.name}:${rule.points}:${rule.durationSec}`;
    let limiter = this.dynamic.get(id);
    if (!limiter) {
      limiter = this.create(id, rule);
      if (this.dynamic.size >= MAX_DYNAMIC_RULES) {
        const oldest = this.dynamic.keys().next().value;
        if (oldest !== undefined) this.dynamic.delete(oldest);
      }
      this.dynamic.set(id, limiter);
    }
    return limiter;
  }

  async close(): Promise<void> {
    this.limiters.clear();
    this.dynamic.clear();
  }
}

function usage(limiter: RateLimiterAbstract, res: RateLimiterRes | null): LimitUsage {
  if (res === null) return { consumed: 0, exhausted: false, msBeforeReset: 0 };
  return {
    consumed: res.consumedPoints,
    exhausted: res.consumedPoints >= limiter.points,
    msBeforeReset: Math.max(0, res.msBeforeNext),
  };
}
