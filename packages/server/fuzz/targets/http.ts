/**
 * Every HTTP route the server registered (RunningServer.routes: HEAD twins, the docs UI and
 * routes the OpenAPI document leaves out included), against a real in-process server. Each
 * case is one call built by generators.ts from the route's own schemas: path parameters
 * valid (the fixtures' real channel, ids, usernames) or hostile, hostile query strings and
 * keys, bodies of the right shape or not, polluting keys planted in otherwise valid bodies,
 * and the credentials of the owner, an admin, a guest, an ingest key, a cookie with and
 * without a same-site Origin, a broken token or none.
 *
 * Most calls go through Fastify's `inject` (the whole request path, routing, parsing,
 * validation, hooks and handlers, without a socket: about twice as fast), one in twenty over
 * a real socket with fetch, and the event-stream routes always (an open stream never ends an
 * injected request).
 *
 * Properties, per call: no 5xx (but 503 `unavailable` from the routes that reach another
 * platform, whose stand-in URLs refuse connections on purpose); every error answer is
 * `{"error":{"code","message"}}` with a known code whose status is the answer's; a JSON
 * answer parses; nothing is logged at error level; no built-in prototype changed. Every few
 * hundred calls the fixtures are put back (channel settings, bans, sessions) so that the
 * fuzzer keeps reaching past the permission checks, and /healthz must answer.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { Writable } from "node:stream";
import { ERROR_STATUS, isErrorCode } from "@chorus/protocol";
import fc from "fast-check";
import { pino } from "pino";
import { type RunningServer, startServer } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { TEST_ADMIN } from "../../test/harness.js";
import {
  type Call,
  type CallAuths,
  callOf,
  cleanCallOf,
  describeCall,
  type EncodedRequest,
  encodeCall,
  hostileCallOf,
  type Operation,
  type Schema,
  schemaValues,
} from "../generators.js";
import { assertNoPollution } from "../pollution.js";
import { asyncCases, type Target } from "../runner.js";

/** Whose credentials a call carries. */
export type Auth =
  | "none"
  | "owner"
  | "admin"
  | "guest"
  | "owner-cookie"
  | "cross-site-cookie"
  | "ingest-key"
  | "spare"
  | "bad-bearer"
  | "bad-cookie";

export interface HttpCase {
  call: Call<Auth>;
  /** Over a real socket (fetch) instead of `inject`. */
  socket: boolean;
}

export interface HttpResult {
  status: number;
  contentType: string;
  body: string;
  /** The Location header of a redirect. */
  location: string | undefined;
  /** A redirect to the very URL asked for. */
  redirectsToItself: boolean;
}

/** A route whose handler reaches another platform: its stand-in URL refuses, so 503 `unavailable` is the right answer. */
const reachesAnotherPlatform = (op: Operation): boolean =>
  op.method !== "GET" && op.method !== "HEAD" && /\/(platform-accounts|connectors)\//.test(op.path);

/** Event streams stay open: only a real socket, closed after the headers, can call them. */
const isEventStream = (op: Operation): boolean => /\/events$|^\/api\/sse\/stream$/.test(op.path);

/**
 * Findings of this fuzzer that are not fixed yet, each reported (the fix belongs in a file the
 * fuzzer's author was not free to edit). A case that meets one is counted, not failed, and the
 * counts are printed after the run; delete an entry once its fix lands (the count then stays 0).
 */
export const KNOWN_ISSUES = {
  /**
   * @fastify/swagger-ui 5.2.6 answers `GET /docs/static/index.html?<anything>` with a 302 to
   * itself: it strips `/static/index.html` from the URL only when nothing follows it, then
   * redirects to the URL it left unchanged. A loop, harmless; the plugin is registered in app.ts.
   */
  "swagger-ui redirect loop": (op: Operation, res: HttpResult) =>
    op.path === "/docs/static/index.html" && res.redirectsToItself,
} as const;

export type KnownIssue = keyof typeof KNOWN_ISSUES;

const REQUEST_TIMEOUT_MS = 10_000;
/** An answer's headers come at once from a local server; a HEAD of an event stream waits this long for them. */
const HEAD_STREAM_TIMEOUT_MS = 500;
/** Calls between two fixture repairs (and /healthz checks). */
const REFRESH_EVERY = 400;
const PASSWORD = "correct horse battery";

interface LogEntry {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

interface Session {
  token: string;
  username: string;
}

interface Fixtures {
  channel: string;
  owner: Session;
  admin: Session;
  guest: Session;
  spare: Session;
  ingestSecret: string;
  ids: string[];
  settings: unknown;
}

/** The OpenAPI document's operations, by `METHOD path` (path in `{param}` form). */
type OpenApiPaths = Record<
  string,
  Record<
    string,
    { parameters?: Operation["parameters"]; requestBody?: { content?: Record<string, { schema: Schema }> } }
  >
>;

/** The server's registered routes as operations: schemas from the OpenAPI document where it has the route. */
export function operationsOf(server: RunningServer, paths: OpenApiPaths): Operation[] {
  const seen = new Set<string>();
  const operations: Operation[] = [];
  for (const route of server.routes) {
    const path = route.url.replace(/:(\w+)/g, "{$1}").replace(/\*$/, "{*}");
    const key = `${route.method} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const documented = paths[path]?.[route.method === "HEAD" ? "get" : route.method.toLowerCase()];
    const parameters = documented?.parameters ?? [];
    // Path parameters the document does not describe (undocumented routes, the wildcard) take any string.
    for (const [, name] of path.matchAll(/\{([\w*]+)\}/g)) {
      if (name && !parameters.some((p) => p.in === "path" && p.name === name)) {
        parameters.push({ in: "path", name, required: true, schema: { type: "string" } });
      }
    }
    operations.push({
      method: route.method,
      path,
      parameters,
      body: documented?.requestBody?.content?.["application/json"]?.schema,
    });
  }
  return operations;
}

function answer(
  request: EncodedRequest,
  status: number,
  contentType: string,
  body: string,
  location: string | undefined,
): HttpResult {
  let redirectsToItself = false;
  if (status >= 300 && status < 400 && location !== undefined) {
    const asked = new URL(request.target, "http://fuzz.invalid");
    const to = new URL(location, asked);
    redirectsToItself = to.pathname === asked.pathname && to.search === asked.search;
  }
  return { status, contentType, body, location, redirectsToItself };
}

/**
 * How often a route is picked, relative to 10: registration and login hash a password (tens of
 * ms each), and a HEAD of an event stream (it hung until fixed; now it is cheap, kept rare).
 */
function weightOf(op: Operation): number {
  if (op.method === "HEAD" && isEventStream(op)) return 1;
  if (op.path === "/api/auth/register" || op.path === "/api/auth/login") return 4;
  return 10;
}

function authsFor(op: Operation): CallAuths<Auth> {
  const broken: Auth[] = ["none", "bad-bearer", "bad-cookie", "cross-site-cookie"];
  // Logging out a fixture would leave the calls after it unauthenticated: only the spare session may go.
  if (op.path === "/api/auth/logout") return { clean: ["spare"], hostile: ["spare", ...broken] };
  const ingest = op.path.includes("/ingest/") || op.path.startsWith("/api/producers/");
  const clean: Auth[] = ingest ? ["ingest-key"] : ["owner", "admin", "guest", "owner-cookie"];
  return { clean, hostile: [...clean, "owner", "admin", "guest", "owner-cookie", "ingest-key", ...broken] };
}

/**
 * A real server for the HTTP target: in-memory store, analysis on (inline, so hostile text goes
 * through the analyser too), the abuse limits out of the way (they are not under test: the
 * fuzzer must reach what is behind them), the other platforms' URLs pointed at a port that
 * refuses at once. Started with startServer rather than the test harness because the log must
 * be captured: an error logged without a 5xx answer is a finding too.
 */
async function startFuzzServer(logged: LogEntry[], standIn: string): Promise<RunningServer> {
  const base = loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    ADMIN_USERNAME: TEST_ADMIN.username,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    WEB_DIST_DIR: "/nonexistent/chorus-fuzz-web",
    ANALYSIS_ENABLED: "true",
    SENTIMENT_WORKERS: "0",
    AUTH_PER_MINUTE: "1000000",
    MESSAGES_PER_WINDOW: "1000000",
    PRIVILEGED_MESSAGES_PER_WINDOW: "1000000",
    FRAMES_PER_MINUTE: "1000000",
    LOGIN_FREE_FAILURES: "1000",
    LOGIN_FAILURES_PER_IP_PER_DAY: "1000000",
    GUESTS_PER_IP_PER_HOUR: "1000000",
    GUEST_MESSAGES_PER_IP_PER_WINDOW: "1000000",
    CONNECTIONS_PER_IP: "100000",
    CONNECTS_PER_IP_PER_SEC: "10000000",
    TWITCH_IRC_URL: standIn.replace(/^http/, "ws"),
    YOUTUBE_API_URL: standIn,
    GOOGLE_OAUTH_URL: standIn,
    TWITCH_AUTH_URL: standIn,
    TWITCH_API_URL: standIn,
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) logged.push(JSON.parse(line) as LogEntry);
      done();
    },
  });
  return startServer({ ...base, dataDir: "memory://" }, pino({ level: "warn" }, sink));
}

export interface HttpHarness {
  server: RunningServer;
  operations: Operation[];
  arbitrary: fc.Arbitrary<HttpCase>;
  /** One clean and one hostile call of every route, over a real socket: a sweep no route escapes. */
  sweep(seed: number): HttpCase[];
  check(c: HttpCase): Promise<HttpResult>;
  /** Calls made per route (`METHOD path`). */
  perRoute: Map<string, number>;
  statuses: Map<number, number>;
  /** Cases that met a known issue instead of being checked. */
  known: Map<KnownIssue, number>;
  sockets: number;
  close(): Promise<void>;
}

/**
 * A URL on which nothing listens: a port the system just handed out and that was closed again
 * (fetch refuses the low "bad ports" such as 1 before connecting, which is not a refused connection).
 */
async function refusingUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port for the stand-in");
  return `http://127.0.0.1:${address.port}`;
}

export async function openHttpHarness(): Promise<HttpHarness> {
  const logged: LogEntry[] = [];
  const standIn = await refusingUrl();
  const server = await startFuzzServer(logged, standIn);
  const origin = server.url;
  const host = new URL(origin).host;

  async function inject(request: EncodedRequest): Promise<HttpResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
    });
    try {
      const res = await Promise.race([
        server.app.inject({
          method: request.method as "GET",
          url: request.target,
          headers: { host, ...request.headers },
          ...(request.payload === undefined ? {} : { payload: request.payload }),
        }),
        timeout,
      ]);
      const location = res.headers["location"];
      return answer(
        request,
        res.statusCode,
        String(res.headers["content-type"] ?? ""),
        res.body,
        typeof location === "string" ? location : undefined,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** `status` 0: no answer within `timeoutMs`. */
  async function overSocket(request: EncodedRequest, timeoutMs: number): Promise<HttpResult> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const res = await fetch(`${origin}${request.target}`, {
        method: request.method,
        headers: request.headers,
        body: request.payload,
        signal: abort.signal,
        redirect: "manual",
      });
      const contentType = res.headers.get("content-type") ?? "";
      const location = res.headers.get("location") ?? undefined;
      // An event stream that opened stays open: its status is the answer.
      if (contentType.includes("text/event-stream")) {
        abort.abort();
        return answer(request, res.status, contentType, "", location);
      }
      return answer(request, res.status, contentType, await res.text(), location);
    } catch (error) {
      if (abort.signal.aborted) return answer(request, 0, "", `no answer in ${timeoutMs} ms`, undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A fixture call that may be refused (the fuzzer changes what it acts on), but never fail. */
  async function attempt(method: string, target: string, token: string | null, body?: unknown): Promise<HttpResult> {
    const headers: Record<string, string> = {};
    if (token !== null) headers["authorization"] = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await inject({
      method,
      target,
      headers,
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 500) throw new Error(`fixture ${method} ${target}: ${res.status} ${res.body.slice(0, 300)}`);
    return res;
  }

  /** A fixture call that must succeed. */
  async function call<T>(method: string, target: string, token: string | null, body?: unknown): Promise<T> {
    const res = await attempt(method, target, token, body);
    if (res.status >= 300) throw new Error(`fixture ${method} ${target}: ${res.status} ${res.body.slice(0, 300)}`);
    return (res.body === "" ? {} : JSON.parse(res.body)) as T;
  }
  const suffix = () => randomBytes(4).toString("hex");
  const sessionOf = (r: { token: string; user: { username: string } }): Session => ({
    token: r.token,
    username: r.user.username,
  });
  const newGuest = async (): Promise<Session> =>
    sessionOf(await call("POST", "/api/auth/guest", null, { username: `fzg_${suffix()}` }));

  const admin = sessionOf(await call("POST", "/api/auth/login", null, TEST_ADMIN));
  const ownerName = `fzo_${suffix()}`;
  const owner = sessionOf(await call("POST", "/api/auth/register", null, { username: ownerName, password: PASSWORD }));
  const channel = `fz_${suffix()}`;
  await call("POST", "/api/channels", owner.token, { name: channel });
  const guest = await newGuest();
  const ids: string[] = [];
  for (const who of [owner, guest]) {
    const posted = await call<{ message: { id: string } }>("POST", `/api/channels/${channel}/messages`, who.token, {
      text: "a message to reply to and delete",
    });
    ids.push(posted.message.id);
  }
  const live = await call<{ broadcast: { id: string } }>("POST", `/api/channels/${channel}/live`, owner.token, {
    title: "fuzz",
  });
  ids.push(live.broadcast.id);
  const key = await call<{ key: { id: string }; secret: string }>(
    "POST",
    `/api/channels/${channel}/ingest-keys`,
    owner.token,
    { label: "fuzz" },
  );
  const ingestSecret = key.secret;
  ids.push(key.key.id);
  // A held message: a term that holds, a guest's message with it, then the term goes again.
  await call("PATCH", `/api/channels/${channel}`, owner.token, {
    settings: { blockedTerms: [{ term: "holdme", action: "hold" }] },
  });
  const held = await call<{ id: string }>("POST", `/api/channels/${channel}/messages`, guest.token, {
    text: "holdme please",
  });
  ids.push(held.id);
  await call("PATCH", `/api/channels/${channel}`, owner.token, { settings: { blockedTerms: [] } });
  const settings = (await call<{ channel: { settings: unknown } }>("GET", `/api/channels/${channel}`, null)).channel
    .settings;
  const fixtures: Fixtures = { channel, owner, admin, guest, spare: await newGuest(), ingestSecret, ids, settings };

  /** Puts back what the fuzzer may have changed, so that calls keep reaching past the checks. */
  async function refresh(): Promise<void> {
    const health = await attempt("GET", "/healthz", null);
    if (health.status !== 200) throw new Error(`/healthz answered ${health.status} ${health.body.slice(0, 200)}`);
    const bans = await attempt("GET", "/api/admin/bans", fixtures.admin.token);
    const listed = bans.status === 200 ? (JSON.parse(bans.body) as { bans?: Array<{ id: string }> }).bans : [];
    for (const ban of listed ?? []) await attempt("DELETE", `/api/admin/bans/${ban.id}`, fixtures.admin.token);
    const alive = async (session: Session) => (await attempt("GET", "/api/me", session.token)).status === 200;
    if (!(await alive(fixtures.admin))) {
      fixtures.admin = sessionOf(await call("POST", "/api/auth/login", null, TEST_ADMIN));
    }
    if (!(await alive(fixtures.owner))) {
      fixtures.owner = sessionOf(
        await call("POST", "/api/auth/login", null, { username: ownerName, password: PASSWORD }),
      );
    }
    if (!(await alive(fixtures.guest))) fixtures.guest = await newGuest();
    fixtures.spare = await newGuest();
    // The fuzzer may have deleted the channel, and someone else may have taken its name since.
    const reset = () =>
      attempt("PATCH", `/api/channels/${channel}`, fixtures.owner.token, { settings: fixtures.settings });
    if ((await attempt("GET", `/api/channels/${channel}`, null)).status === 404) {
      await call("POST", "/api/channels", fixtures.owner.token, { name: channel });
    }
    if ((await reset()).status === 403) {
      await call("DELETE", `/api/channels/${channel}`, fixtures.admin.token);
      await call("POST", "/api/channels", fixtures.owner.token, { name: channel });
      const again = await reset();
      if (again.status !== 200) throw new Error(`fixture: the channel's settings: ${again.status} ${again.body}`);
    }
    await attempt("DELETE", `/api/channels/${channel}/bans/${fixtures.guest.username}`, fixtures.owner.token);
  }

  const values = schemaValues((field) => {
    switch (field) {
      case "name":
      case "channel":
        return [channel, channel.toUpperCase(), "main", "no_such_channel", "x"];
      case "id":
      case "replyTo":
      case "messageId":
        return [...ids, "00000000-0000-0000-0000-000000000000"];
      case "username":
        return [guest.username, ownerName, TEST_ADMIN.username, "no_such_user", "Admin"];
      case "platform":
        return ["twitch", "youtube", "kick", "generic", "TWITCH", "facebook"];
      case "source":
        return ["somechannel", "UC0123456789abcdefghijkl", "https://twitch.tv/x"];
      case "token":
        return ["garbage", "oauth:abc"];
      case "password":
        return [PASSWORD, "short"];
      case "cidr":
        return ["10.0.0.0/8", "192.0.2.1", "2001:db8::/32", "0.0.0.0/0", "::/0", "256.0.0.1/33", "::ffff:10.0.0.1/96"];
      case "text":
      case "message":
        return ["hello", "  ", "@someone hi", "e\u0301", "😀".repeat(501), "https://example.com", "holdme"];
      case "videoUrl":
        return ["https://www.youtube.com/watch?v=dQw4w9WgXcQ", "javascript:alert(1)", `${standIn}/video.m3u8`];
      default:
        return [];
    }
  });

  const openapi = JSON.parse(
    (await inject({ method: "GET", target: "/openapi.json", headers: {}, payload: undefined })).body,
  ) as {
    paths: OpenApiPaths;
  };
  const operations = operationsOf(server, openapi.paths);
  const arbitrary: fc.Arbitrary<HttpCase> = fc.oneof(
    ...operations.map((op) => ({
      weight: weightOf(op),
      arbitrary: fc.record({
        call: callOf(op, values, authsFor(op)),
        socket: isEventStream(op) ? fc.constant(true) : fc.nat(19).map((n) => n === 0),
      }),
    })),
  );

  function credentials(auth: Auth, method: string): Record<string, string> {
    switch (auth) {
      case "none":
        return {};
      case "owner":
      case "admin":
      case "guest":
      case "spare":
        return { authorization: `Bearer ${fixtures[auth].token}` };
      case "owner-cookie":
        return { cookie: `chorus_session=${fixtures.owner.token}`, ...(method === "GET" ? {} : { origin }) };
      case "cross-site-cookie":
        return { cookie: `chorus_session=${fixtures.owner.token}`, origin: "https://evil.example" };
      case "ingest-key":
        return { authorization: `Bearer ${fixtures.ingestSecret}` };
      case "bad-bearer":
        return { authorization: "Bearer not.a.jwt" };
      case "bad-cookie":
        return { cookie: "chorus_session=%00%ED%A0%80" };
    }
  }

  const perRoute = new Map<string, number>();
  const statuses = new Map<number, number>();
  const known = new Map<KnownIssue, number>();
  let calls = 0;
  const harness: HttpHarness = {
    server,
    operations,
    arbitrary,
    perRoute,
    statuses,
    known,
    sweep: (seed) =>
      operations.flatMap((op, i) =>
        [cleanCallOf, hostileCallOf].flatMap((make) =>
          fc
            .sample(make(op, values, authsFor(op)), { numRuns: 1, seed: seed + i })
            .map((call) => ({ call, socket: true })),
        ),
      ),
    sockets: 0,
    async check(c) {
      const { op } = c.call;
      const request = encodeCall(c.call);
      request.headers = { ...request.headers, ...credentials(c.call.auth, op.method) };
      const headOfStream = op.method === "HEAD" && isEventStream(op);
      const res = c.socket
        ? await overSocket(request, headOfStream ? HEAD_STREAM_TIMEOUT_MS : REQUEST_TIMEOUT_MS)
        : await inject(request);
      if (c.socket) harness.sockets++;
      const routeKey = `${op.method} ${op.path}`;
      perRoute.set(routeKey, (perRoute.get(routeKey) ?? 0) + 1);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const what = () => `${routeKey} → ${res.status} ${res.body.slice(0, 400)}`;
      // Drained before anything can throw, so that what this call logged is never blamed on the next.
      const errors = logged.splice(0).filter((e) => e.level >= 50);
      const issue = (Object.keys(KNOWN_ISSUES) as KnownIssue[]).find((k) => KNOWN_ISSUES[k](op, res));
      if (issue) known.set(issue, (known.get(issue) ?? 0) + 1);
      else checkAnswer(op, res, what);
      assertNoPollution(`${routeKey}`);
      if (errors.length > 0) throw new Error(`the server logged an error: ${JSON.stringify(errors).slice(0, 1500)}`);
      if (++calls % REFRESH_EVERY === 0) await refresh();
      return res;
    },
    close: () => server.close(),
  };
  return harness;
}

/** An answer's properties: there is one, no 5xx (bar a refused platform), no redirect loop, parseable JSON, the one error shape. */
export function checkAnswer(op: Operation, res: HttpResult, what: () => string): void {
  if (res.status === 0) throw new Error(`no answer: ${what()}`);
  if (res.redirectsToItself) throw new Error(`a redirect to itself (a loop): ${what()} → ${res.location}`);
  const json = res.contentType.includes("application/json");
  const hasBody = op.method !== "HEAD" && res.body.length > 0;
  let parsed: unknown;
  if (json && hasBody) {
    try {
      parsed = JSON.parse(res.body);
    } catch {
      throw new Error(`a JSON answer that does not parse: ${what()}`);
    }
  }
  if (res.status >= 500) {
    const code = (parsed as { error?: { code?: unknown } } | undefined)?.error?.code;
    if (!(res.status === 503 && code === "unavailable" && reachesAnotherPlatform(op)))
      throw new Error(`5xx: ${what()}`);
  }
  if (res.status < 400 || op.method === "HEAD") return;
  if (!json || !hasBody) throw new Error(`an error answer that is not JSON: ${what()} (${res.contentType})`);
  const body = parsed as { error?: Record<string, unknown> } | null;
  const error = body?.error;
  if (typeof body !== "object" || body === null || Object.keys(body).join() !== "error" || !error) {
    throw new Error(`an error answer not shaped {"error":{…}}: ${what()}`);
  }
  if (!isErrorCode(error["code"])) throw new Error(`an unknown error code: ${what()}`);
  if (typeof error["message"] !== "string") throw new Error(`an error without a message: ${what()}`);
  const extra = Object.keys(error).filter((k) => !["code", "message", "retryAfterMs", "until"].includes(k));
  if (extra.length > 0) throw new Error(`an error with extra fields ${extra.join(", ")}: ${what()}`);
  // Every status follows the code but two the API documents: 426, HTTP's own answer to a plain
  // GET of the WebSocket endpoint, and what Node's parser refuses, which keeps its status (408,
  // 431 for headers over 16 KiB, the URL included) with `invalid_request` (docs/api.md "Errors").
  const upgradeRequired = res.status === 426 && op.path === "/api/ws";
  const parserRefusal = error["code"] === "invalid_request" && (res.status === 408 || res.status === 431);
  if (!upgradeRequired && !parserRefusal && ERROR_STATUS[error["code"]] !== res.status) {
    throw new Error(`code ${String(error["code"])} answered with status ${res.status}: ${what()}`);
  }
}

export const httpTarget: Target = {
  name: "http",
  summary: "every registered HTTP route of a real in-process server (inject, and fetch over a socket)",
  weight: 25,
  async open() {
    const harness = await openHttpHarness();
    return {
      cases: asyncCases(
        harness.arbitrary,
        async (c) => {
          await harness.check(c);
        },
        (c) => `${c.socket ? "socket" : "inject"} ${describeCall(c.call)}`,
      ),
      close: () => harness.close(),
      stats: () => {
        const byStatus = [...harness.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
        const reached = [...harness.perRoute.keys()].length;
        const known = [...harness.known].map(([issue, n]) => `\n  known issue, ${n} case(s): ${issue}`).join("");
        return `${reached}/${harness.operations.length} routes called, ${harness.sockets} over a socket; statuses ${byStatus.join(" ")}${known}`;
      },
    };
  },
};
