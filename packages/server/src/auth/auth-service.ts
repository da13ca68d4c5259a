/**
 * Accounts and sessions: register, login, guest identities, logout with server-side
 * revocation, and resolving a token to an authenticated context. Sessions are cached in
 * memory so that authenticating a request costs one HMAC check, not a database read.
 */
import { randomUUID } from "node:crypto";
import { LIMITS, USERNAME_RE, type User } from "@chorus/protocol";
import type { SiteBans } from "../admin/site-bans.js";
import { AppError, conflict, invalid, unauthorized } from "../errors.js";
import type { Limiter } from "../ports/limiter.js";
import type { SessionRecord, Store, UserRecord } from "../ports/store.js";
import { isCommonPassword } from "./common-passwords.js";
import { LoginThrottle, type LoginThrottleOptions } from "./login-throttle.js";
import { hashPassword, verifyPassword } from "./passwords.js";
import type { TokenSigner } from "./tokens.js";
import { colorFor, parseUsername, toPublicUser } from "./users.js";

export interface AuthContext {
  user: UserRecord;
  sessionId: string;
}

export interface IssuedSession {
  user: User;
  token: string;
  expiresAt: number;
}

export interface AuthServiceOptions {
  sessionTtlSec: number;
  botUsers: readonly string[];
  login: LoginThrottleOptions;
  /** Site-wide bans: a banned account neither logs in nor authenticates (admin/site-bans.ts). */
  siteBans: Pick<SiteBans, "check">;
}

const CACHE_MAX = 100_000;

export class AuthService {
  private readonly users = new Map<string, UserRecord>();
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly revokedListeners = new Set<(sessionId: string, userId: string) => void>();
  private readonly loginThrottle: LoginThrottle;

  constructor(
    private readonly store: Store,
    private readonly signer: TokenSigner,
    private readonly limiter: Limiter,
    private readonly options: AuthServiceOptions,
  ) {
    this.loginThrottle = new LoginThrottle(limiter, options.login);
  }

  async register(rawUsername: unknown, password: unknown, ip: string): Promise<IssuedSession> {
    await this.limit(ip);
    const { username, displayName } = parseUsername(rawUsername);
    checkPassword(password);
    // OWASP / NIST 800-63B: refuse passwords attackers try first (a bundled list, no network).
    if (isCommonPassword(password, { username }))
      throw invalid(
        "this password is too common or too close to your name: choose another (a few random words work well)",
      );
    if (await this.store.users.byUsername(username)) throw conflict("username is taken");
    const user = newUser(username, displayName, { passwordHash: await hashPassword(password) });
    await this.createUser(user);
    return this.issue(user);
  }

  async login(rawUsername: unknown, password: unknown, ip: string): Promise<IssuedSession> {
    await this.limit(ip);
    if (typeof rawUsername !== "string" || typeof password !== "string")
      throw invalid("username and password are required");
    const username = rawUsername.trim().toLowerCase();
    const user = await this.loginThrottle.attempt(username, ip, async () => {
      // A name no account can have is not looked up, but pays the same hash as any miss.
      const found = USERNAME_RE.test(username) ? await this.store.users.byUsername(username) : null;
      // Same answer, same cost, for an unknown user and a wrong password.
      const matches = await verifyPassword(found?.passwordHash ?? null, password);
      return matches ? found : null;
    });
    if (user === null) throw unauthorized("invalid username or password");
    // Only after the password matched: a ban says nothing to someone guessing.
    this.options.siteBans.check(user, null);
    return this.issue(user);
  }

  async guest(rawUsername: unknown, ip: string): Promise<IssuedSession> {
    await this.limit(ip);
    const { username, displayName } = parseUsername(rawUsername);
    // Each guest has its own message budget: how many one address may make is limited too.
    const decision = await this.limiter.consume("guest_ip", ip);
    if (!decision.allowed)
      throw new AppError("rate_limited", "too many guest identities from your address", decision.retryAfterMs);
    if (await this.store.users.byUsername(username)) throw conflict("username is taken");
    const user = newUser(username, displayName, { isGuest: true });
    await this.createUser(user);
    return this.issue(user);
  }

  async logout(ctx: AuthContext): Promise<void> {
    const at = Date.now();
    await this.store.sessions.revoke(ctx.sessionId, at);
    const cached = this.sessions.get(ctx.sessionId);
    if (cached) cached.revokedAt = at;
    for (const listener of this.revokedListeners) listener(ctx.sessionId, ctx.user.id);
  }

  /** Another node revoked this session: drop it from the cache so the next use re-reads it. */
  forgetSession(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  onRevoked(listener: (sessionId: string, userId: string) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /** The context for a token, or null if it is invalid, expired or revoked; 403 `banned` for a site-banned account. */
  async authenticate(token: string, options: { evenIfBanned?: boolean } = {}): Promise<AuthContext | null> {
    const claims = await this.signer.verify(token);
    if (!claims) return null;
    return this.sessionContext(claims.sessionId, claims.userId, options);
  }

  /**
   * The context of a session that is still valid (not revoked, not expired): what a token or a
   * connection ticket stands for. 403 `banned` for a site-banned account.
   */
  async sessionContext(
    sessionId: string,
    userId: string,
    options: { evenIfBanned?: boolean } = {},
  ): Promise<AuthContext | null> {
    const session = await this.session(sessionId);
    if (!session || session.userId !== userId || session.revokedAt !== null || session.expiresAt <= Date.now()) {
      return null;
    }
    const user = await this.user(userId);
    if (!user) return null;
    if (!options.evenIfBanned) this.options.siteBans.check(user, null);
    return { user, sessionId: session.id };
  }

  /** Admins and configured bots are exempt from per-user chat limits (load tests, bots). */
  isExempt(user: UserRecord): boolean {
    return user.isAdmin || this.options.botUsers.includes(user.username);
  }

  async user(id: string): Promise<UserRecord | null> {
    const cached = this.users.get(id);
    if (cached) return cached;
    const user = await this.store.users.byId(id);
    if (user) remember(this.users, id, user);
    return user;
  }

  /** Creates the configured admin on a fresh install, or makes the existing user an admin. */
  async ensureAdmin(username: string, password: string): Promise<void> {
    const promote = async (): Promise<boolean> => {
      const existing = await this.store.users.byUsername(username);
      if (!existing) return false;
      if (!existing.isAdmin) await this.store.users.setAdmin(existing.id, true);
      this.users.delete(existing.id);
      return true;
    };
    if (await promote()) return;
    try {
      await this.createAdmin(username, password);
    } catch (error) {
      // Several nodes starting at once on a fresh database: one creates, the others promote.
      if (!(error instanceof AppError && error.code === "conflict") || !(await promote())) throw error;
    }
  }

  private async createAdmin(username: string, password: string): Promise<void> {
    await this.createUser(newUser(username, username, { passwordHash: await hashPassword(password), isAdmin: true }));
  }

  private async createUser(user: UserRecord): Promise<void> {
    try {
      await this.store.users.create(user);
    } catch (error) {
      // Two requests racing for one name: the unique index decides, the loser gets 409.
      if (await this.store.users.byUsername(user.username)) throw conflict("username is taken");
      throw error;
    }
  }

  private async issue(user: UserRecord): Promise<IssuedSession> {
    const now = Date.now();
    const session: SessionRecord = {
      id: randomUUID(),
      userId: user.id,
      createdAt: now,
      expiresAt: now + this.options.sessionTtlSec * 1000,
      revokedAt: null,
    };
    await this.store.sessions.create(session);
    remember(this.sessions, session.id, session);
    remember(this.users, user.id, user);
    const token = await this.signer.sign({ userId: user.id, sessionId: session.id }, session.expiresAt);
    return { user: toPublicUser(user), token, expiresAt: session.expiresAt };
  }

  private async session(id: string): Promise<SessionRecord | null> {
    const cached = this.sessions.get(id);
    if (cached) return cached;
    const session = await this.store.sessions.byId(id);
    if (session) remember(this.sessions, id, session);
    return session;
  }

  private async limit(ip: string): Promise<void> {
    const decision = await this.limiter.consume("auth", ip);
    if (!decision.allowed) throw new AppError("rate_limited", "too many attempts, slow down", decision.retryAfterMs);
  }
}

function newUser(
  username: string,
  displayName: string,
  flags: { passwordHash?: string; isAdmin?: boolean; isGuest?: boolean },
): UserRecord {
  return {
    id: randomUUID(),
    username,
    displayName,
    color: colorFor(username),
    passwordHash: flags.passwordHash ?? null,
    isAdmin: flags.isAdmin ?? false,
    isGuest: flags.isGuest ?? false,
    createdAt: Date.now(),
  };
}

function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== "string") throw invalid("password is required");
  const n = [...password].length;
  if (n < LIMITS.passwordMinChars || n > LIMITS.passwordMaxChars) {
    throw invalid(`password must be ${LIMITS.passwordMinChars}–${LIMITS.passwordMaxChars} characters`);
  }
}

/** Bounded cache: drops the oldest entry when full (Map keeps insertion order). */
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_MAX) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, value);
}
