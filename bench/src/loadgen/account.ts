/**
 * The load generator's account and channels, over the public REST API (docs/api.md "Auth",
 * "Channels"): log in (or take a token as given), check who that is, and create the run's
 * channels when they are missing.
 */

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function call(
  method: string,
  url: string,
  { token, body, signal }: { token?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: signal ?? AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

function field(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** `POST /api/auth/login`; the session token. */
export async function login(base: string, username: string, password: string): Promise<string> {
  const { status, body } = await call("POST", `${base}/api/auth/login`, { body: { username, password } });
  const token = field(body, "token");
  if (status !== 200 || typeof token !== "string") {
    throw new HttpError(`login as "${username}" failed: HTTP ${status} ${JSON.stringify(body)?.slice(0, 200)}`, status);
  }
  return token;
}

export interface Me {
  username: string;
  isAdmin: boolean;
  isGuest: boolean;
}

/** `GET /api/me`: who the token belongs to. */
export async function whoAmI(base: string, token: string): Promise<Me> {
  const { status, body } = await call("GET", `${base}/api/me`, { token });
  const username = field(body, "user", "username");
  if (status !== 200 || typeof username !== "string") {
    throw new HttpError(`GET /api/me answered HTTP ${status}: is the token valid?`, status);
  }
  return {
    username,
    isAdmin: field(body, "user", "isAdmin") === true,
    isGuest: field(body, "user", "isGuest") === true,
  };
}

/** The bot user the moderated bench publishes as; servers started by the bench list it in BOT_USERS. */
export const BENCH_BOT = "bench_bot";

/** What `--moderated` sets on every load channel: a moderated chat's usual filters, all on. */
export const MODERATED_SETTINGS = {
  blockedTerms: [
    { term: "free followers", action: "reject" },
    { term: "scam*", action: "reject" },
    { term: "giveaway", action: "hold" },
    { term: "crypto", action: "hold" },
    { term: "spoiler", action: "mask" },
    { term: "noob", action: "mask" },
    { term: "trash", action: "mask" },
    { term: "cheater", action: "hold" },
    { term: "unfollow", action: "mask" },
    { term: "dm me", action: "reject" },
  ],
  autoModLevel: 4,
  capsLimitPercent: 70,
  repeatLimit: 10,
  linksMinRole: "vip",
} as const;

/**
 * Puts `MODERATED_SETTINGS` on every channel (as their owner, `token`) and signs in the bench
 * bot, registering it the first time. Returns the bot's token.
 */
export async function moderateChannels(base: string, token: string, names: readonly string[]): Promise<string> {
  for (const name of names) {
    const res = await call("PATCH", `${base}/api/channels/${name}`, { token, body: { settings: MODERATED_SETTINGS } });
    if (res.status !== 200) {
      throw new HttpError(
        `could not moderate "${name}": HTTP ${res.status} ${JSON.stringify(res.body)?.slice(0, 200)}`,
        res.status,
      );
    }
  }
  const password = "bench bot password";
  const body = { username: BENCH_BOT, password };
  let res = await call("POST", `${base}/api/auth/register`, { body });
  if (res.status === 409) res = await call("POST", `${base}/api/auth/login`, { body });
  const botToken = field(res.body, "token");
  if ((res.status !== 201 && res.status !== 200) || typeof botToken !== "string") {
    throw new HttpError(`could not sign in ${BENCH_BOT}: HTTP ${res.status}`, res.status);
  }
  return botToken;
}

/** An ingest key for each channel (as its owner, `token`): channel → secret. */
export async function createIngestKeys(
  base: string,
  token: string,
  names: readonly string[],
): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const name of names) {
    const res = await call("POST", `${base}/api/channels/${name}/ingest-keys`, { token, body: { label: "bench" } });
    const secret = field(res.body, "secret");
    if (res.status !== 201 || typeof secret !== "string") {
      throw new HttpError(`could not create an ingest key for "${name}": HTTP ${res.status}`, res.status);
    }
    keys.set(name, secret);
  }
  return keys;
}

/**
 * Creates every channel of `names` that does not exist yet (`POST /api/channels`, the
 * caller becomes its owner); a few requests at a time so 500 channels take seconds, not a
 * minute. Returns how many were created.
 */
export async function ensureChannels(base: string, token: string, names: readonly string[]): Promise<number> {
  let created = 0;
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++] as string;
      const existing = await call("GET", `${base}/api/channels/${name}`);
      if (existing.status === 200) continue;
      const res = await call("POST", `${base}/api/channels`, { token, body: { name } });
      if (res.status === 201) created++;
      else if (res.status !== 409) {
        throw new HttpError(
          `could not create channel "${name}": HTTP ${res.status} ${JSON.stringify(res.body)?.slice(0, 200)}`,
          res.status,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, names.length) }, worker));
  return created;
}
