/**
 * The moderation permission table, checked case by case against a live server: every actor
 * (each channel role, a global admin, a guest, an anonymous caller) × every action × a target
 * of every rank for the actions aimed at a person. The expected answer of each case is derived
 * from the table the server itself uses (`allowed`, `outranks`, `MIN_ROLE`), so a route that
 * forgets to ask it, or asks for the wrong action, shows up as a named failing case. Each case
 * also checks that a refused action changed nothing and an accepted one took effect.
 *
 * Then the WebSocket side of sanctions: a banned user's send is `banned`, a timed-out one's
 * `timed_out` with `until` and `retryAfterMs`, and after the unban the send is acked.
 */
import { ROLES, type Role } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allowed,
  MIN_ROLE,
  MOD_ACTIONS,
  type ModAction,
  ON_A_PERSON,
  outranks,
} from "../src/moderation/permissions.js";
import { startTestServer, type TestServer } from "./harness.js";
import {
  type ApiResponse,
  api,
  createChannel,
  guest,
  loginAdmin,
  postMessage,
  register,
  type Session,
  WsClient,
} from "./helpers.js";

// ---- the cases, from the table ------------------------------------------------------------

/** Actions whose case needs someone: a person to act on, or the author of the message. */
const WITH_TARGET: ReadonlySet<ModAction> = new Set([...ON_A_PERSON, "delete_message"]);

type ActorKey = Role | "admin" | "guest" | "anonymous";
type TargetKey = Role | "admin" | "guest" | "self";

interface Who {
  role: Role;
  isAdmin: boolean;
}

const ACTORS: Record<ActorKey, Who | null> = {
  owner: { role: "owner", isAdmin: false },
  moderator: { role: "moderator", isAdmin: false },
  vip: { role: "vip", isAdmin: false },
  subscriber: { role: "subscriber", isAdmin: false },
  viewer: { role: "viewer", isAdmin: false },
  admin: { role: "viewer", isAdmin: true },
  guest: { role: "viewer", isAdmin: false },
  anonymous: null,
};
const TARGETS: Record<Exclude<TargetKey, "self">, Who> = {
  owner: { role: "owner", isAdmin: false },
  moderator: { role: "moderator", isAdmin: false },
  vip: { role: "vip", isAdmin: false },
  subscriber: { role: "subscriber", isAdmin: false },
  viewer: { role: "viewer", isAdmin: false },
  admin: { role: "viewer", isAdmin: true },
  guest: { role: "viewer", isAdmin: false },
};

const SUCCESS: Record<ModAction, number> = {
  delete_message: 204,
  clear_chat: 204,
  timeout: 201,
  ban: 201,
  unban: 204,
  view_bans: 200,
  view_modlog: 200,
  review_held: 200,
  set_role: 200,
  restrict: 200,
};

interface Case {
  actor: ActorKey;
  action: ModAction;
  target: TargetKey | null;
  status: number;
  /** Why the table gives that answer, for the test name. */
  why: string;
}

function expectation(actorKey: ActorKey, action: ModAction, target: TargetKey | null): Pick<Case, "status" | "why"> {
  const actor = ACTORS[actorKey];
  if (actor === null) return { status: 401, why: "anonymous" };
  // Authors delete their own messages whatever their role.
  if (action === "delete_message" && target === "self") return { status: SUCCESS[action], why: "own message" };
  if (!allowed(actor.role, actor.isAdmin, action)) return { status: 403, why: `needs ${MIN_ROLE[action]}` };
  if (target !== null && ON_A_PERSON.has(action)) {
    if (target === "self") return { status: 403, why: "not on oneself" };
    const t = TARGETS[target];
    if (!outranks(actor.role, actor.isAdmin, t.role, t.isAdmin)) return { status: 403, why: "does not outrank" };
  }
  return { status: SUCCESS[action], why: "allowed" };
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const actor of Object.keys(ACTORS) as ActorKey[]) {
    for (const action of MOD_ACTIONS) {
      if (!WITH_TARGET.has(action)) {
        out.push({ actor, action, target: null, ...expectation(actor, action, null) });
        continue;
      }
      const targets = [...(Object.keys(TARGETS) as TargetKey[]), "self" as const].filter(
        // An anonymous caller has no self; the owner's "owner" target is themself.
        (t) => !(actor === "anonymous" && t === "self") && !(actor === "owner" && t === "owner"),
      );
      for (const target of targets) out.push({ actor, action, target, ...expectation(actor, action, target) });
    }
  }
  return out;
}

const CASES = cases();

// ---- the live server ----------------------------------------------------------------------

let server: TestServer;
let channel: string;
let admin: Session;
let admin2: Session;
/** Who plays each actor (null: anonymous). */
const actors = new Map<ActorKey, Session | null>();
/** Who plays each target other than `self`. */
const targets = new Map<Exclude<TargetKey, "self">, Session>();

function actorSession(key: ActorKey): Session | null {
  const s = actors.get(key);
  if (s === undefined) throw new Error(`no actor ${key}`);
  return s;
}

function targetSession(actor: ActorKey, target: TargetKey): Session {
  if (target === "self") {
    const s = actorSession(actor);
    if (s === null) throw new Error("anonymous has no self");
    return s;
  }
  const s = targets.get(target);
  if (!s) throw new Error(`no target ${target}`);
  return s;
}

/** An admin other than `who`, to set up and undo sanctions on anyone. */
function adminOtherThan(who: Session): Session {
  return who.user.id === admin.user.id ? admin2 : admin;
}

async function sanctionOf(user: Session): Promise<"ban" | "timeout" | null> {
  const state = await server.server().services.channels.state(channel);
  return state.sanctions.get(user.user.id)?.kind ?? null;
}

async function lift(user: Session): Promise<void> {
  if ((await sanctionOf(user)) === null) return;
  const res = await api(server.url, "DELETE", `/api/channels/${channel}/bans/${user.user.username}`, {
    token: adminOtherThan(user).token,
  });
  expect(res.status, `cleanup unban: ${res.text}`).toBe(204);
}

async function statusOf(user: Session): Promise<string | null> {
  const state = await server.server().services.channels.state(channel);
  return state.statuses.get(user.user.id)?.status ?? null;
}

async function unmark(user: Session): Promise<void> {
  if ((await statusOf(user)) === null) return;
  const res = await api(server.url, "DELETE", `/api/channels/${channel}/suspicious/${user.user.username}`, {
    token: adminOtherThan(user).token,
  });
  expect(res.status, `cleanup unmark: ${res.text}`).toBe(204);
}

async function ban(user: Session): Promise<void> {
  const res = await api(server.url, "POST", `/api/channels/${channel}/bans`, {
    token: adminOtherThan(user).token,
    body: { username: user.user.username, reason: "set-up" },
  });
  expect(res.status, `set-up ban: ${res.text}`).toBe(201);
}

async function roleOf(user: Session): Promise<Role> {
  const state = await server.server().services.channels.state(channel);
  if (state.record.ownerId === user.user.id) return "owner";
  return state.roles.get(user.user.id) ?? "viewer";
}

beforeAll(async () => {
  // Authors post one message per delete case; the per-user message limit is not under test.
  const limits = { messagesPerWindow: 1_000_000 };
  server = await startTestServer({ limits });
  admin = await loginAdmin(server.url);
  const url = server.url;
  const [owner, m1, m2, v1, v2, s1, s2, w1, w2, g1, g2, a2] = await Promise.all([
    register(url, "owner"),
    register(url, "mod1"),
    register(url, "mod2"),
    register(url, "vip1"),
    register(url, "vip2"),
    register(url, "sub1"),
    register(url, "sub2"),
    register(url, "view1"),
    register(url, "view2"),
    guest(url, "guest1"),
    guest(url, "guest2"),
    register(url, "admin2", "admin two password"),
  ]);
  // A second global admin, so that an admin can be a target (and the first one's self case differs).
  await server.server().services.auth.ensureAdmin(a2.user.username, "admin two password");
  admin2 = a2;
  channel = await createChannel(url, owner, "modperm");
  const services = server.server().services;
  for (const [session, role] of [
    [m1, "moderator"],
    [m2, "moderator"],
    [v1, "vip"],
    [v2, "vip"],
    [s1, "subscriber"],
    [s2, "subscriber"],
  ] as const) {
    await services.channels.setRole(channel, session.user.id, role);
  }
  for (const [key, s] of [
    ["owner", owner],
    ["moderator", m1],
    ["vip", v1],
    ["subscriber", s1],
    ["viewer", w1],
    ["admin", admin],
    ["guest", g1],
    ["anonymous", null],
  ] as const) {
    actors.set(key, s);
  }
  for (const [key, s] of [
    ["owner", owner],
    ["moderator", m2],
    ["vip", v2],
    ["subscriber", s2],
    ["viewer", w2],
    ["admin", a2],
    ["guest", g2],
  ] as const) {
    targets.set(key, s);
  }
  // The cast matches who plays it (a mistake here would make every case meaningless).
  for (const [key, who] of Object.entries(TARGETS)) {
    const s = targets.get(key as Exclude<TargetKey, "self">);
    if (!s) throw new Error(key);
    expect(await roleOf(s), `role of the ${key} target`).toBe(who.role);
    expect((await services.store.users.byId(s.user.id))?.isAdmin, `${key} target is admin`).toBe(who.isAdmin);
  }
}, 60_000);

afterAll(async () => {
  await server?.dispose();
});

// ---- one case -----------------------------------------------------------------------------

/** Runs one case against the live server and checks its effect; returns the response. */
async function run(c: Case): Promise<ApiResponse<object>> {
  const actor = actorSession(c.actor);
  const token = actor?.token;
  const base = `/api/channels/${channel}`;
  const target = c.target === null ? null : targetSession(c.actor, c.target === "self" ? "self" : c.target);
  const person = target;

  switch (c.action) {
    case "delete_message": {
      if (!person) throw new Error("delete needs an author");
      const posted = await postMessage(server.url, person, channel, `by ${c.target} for ${c.actor}`);
      expect(posted.status, posted.text).toBe(201);
      const id = posted.body.message.id;
      const res = await api(server.url, "DELETE", `${base}/messages/${id}`, { token });
      const ref = await server.server().services.store.events.messageRef(channel, id);
      expect(ref?.deleted, "message deleted exactly when the delete was accepted").toBe(res.status === 204);
      return res;
    }
    case "clear_chat":
      return api(server.url, "POST", `${base}/clear`, { token });
    case "timeout":
    case "ban": {
      if (!person) throw new Error("needs a person");
      const res = await api<{ ban: { username: string; kind: string; until: number | null } }>(
        server.url,
        "POST",
        `${base}/bans`,
        {
          token,
          body: { username: person.user.username, ...(c.action === "timeout" ? { durationSec: 600 } : {}) },
        },
      );
      const kind = await sanctionOf(person);
      await lift(person);
      if (res.status === 201) {
        expect(res.body.ban.username).toBe(person.user.username);
        expect(res.body.ban.kind).toBe(c.action);
        expect(kind, "sanction in the channel state").toBe(c.action);
      } else {
        expect(kind, "a refused sanction left none").toBeNull();
      }
      return res;
    }
    case "unban": {
      if (!person) throw new Error("needs a person");
      await ban(person);
      const res = await api(server.url, "DELETE", `${base}/bans/${person.user.username}`, { token });
      const kind = await sanctionOf(person);
      await lift(person);
      expect(kind, "the ban stands exactly when the unban was refused").toBe(res.status === 204 ? null : "ban");
      return res;
    }
    case "view_bans": {
      const res = await api<{ bans: unknown[] }>(server.url, "GET", `${base}/bans`, { token });
      if (res.status === 200) expect(Array.isArray(res.body.bans)).toBe(true);
      return res;
    }
    case "view_modlog": {
      const res = await api<{ entries: unknown[] }>(server.url, "GET", `${base}/modlog`, { token });
      if (res.status === 200) expect(Array.isArray(res.body.entries)).toBe(true);
      return res;
    }
    case "review_held": {
      const res = await api<{ held: unknown[] }>(server.url, "GET", `${base}/held`, { token });
      if (res.status === 200) expect(Array.isArray(res.body.held)).toBe(true);
      return res;
    }
    case "set_role": {
      if (!person) throw new Error("needs a person");
      // Giving the role they already have: an accepted case changes nothing for later cases.
      const before = await roleOf(person);
      const role = before === "owner" ? "viewer" : before;
      const res = await api<{ username: string; role: string }>(
        server.url,
        "PUT",
        `${base}/roles/${person.user.username}`,
        { token, body: { role } },
      );
      if (res.status === 200) expect(res.body).toEqual({ username: person.user.username, role });
      expect(await roleOf(person), "role unchanged").toBe(before);
      return res;
    }
    case "restrict": {
      if (!person) throw new Error("needs a person");
      const res = await api<{ user: { username: string; status: string } }>(
        server.url,
        "PUT",
        `${base}/suspicious/${person.user.username}`,
        { token, body: { status: "monitored" } },
      );
      const status = await statusOf(person);
      await unmark(person);
      if (res.status === 200)
        expect(res.body.user).toMatchObject({ username: person.user.username, status: "monitored" });
      expect(status, "marked exactly when accepted").toBe(res.status === 200 ? "monitored" : null);
      return res;
    }
  }
}

function caseName(c: Case): string {
  const on = c.target === null ? "" : ` on ${c.target}`;
  return `${c.action}${on} → ${c.status} (${c.why})`;
}

describe("moderation permissions: role × action × target against a live server", () => {
  it("covers every action, every role and the extra actors", () => {
    expect(new Set(CASES.map((c) => c.action))).toEqual(new Set(MOD_ACTIONS));
    const actorRoles = new Set(Object.values(ACTORS).flatMap((w) => (w ? [w.role] : [])));
    for (const role of ROLES) expect(actorRoles.has(role), role).toBe(true);
    // Both answers occur for every action, or the table would not be exercised.
    for (const action of MOD_ACTIONS) {
      const statuses = new Set(CASES.filter((c) => c.action === action).map((c) => c.status));
      expect(statuses.has(SUCCESS[action]) && statuses.has(403) && statuses.has(401), action).toBe(true);
    }
  });

  describe.each(Object.keys(ACTORS) as ActorKey[])("%s", (actor) => {
    it.each(CASES.filter((c) => c.actor === actor).map((c) => [caseName(c), c] as const))("%s", async (_name, c) => {
      const res = await run(c);
      expect(res.status, `${actor} ${caseName(c)}: ${res.text}`).toBe(c.status);
      if (c.status === 403) expect(res.body.error?.code).toBe("forbidden");
      if (c.status === 401) expect(res.body.error?.code).toBe("unauthorized");
    });
  });
});

// ---- the WebSocket path -------------------------------------------------------------------

describe("sanctions on the WebSocket path", () => {
  it("a banned user's send is `banned`, a timed-out one's `timed_out` with until and retryAfterMs; after the unban it is acked", async () => {
    const victim = await register(server.url, "victim");
    const moderator = actorSession("moderator");
    if (!moderator) throw new Error("no moderator");
    const ws = await WsClient.authed(server.url, victim.token);
    try {
      const first = await ws.sendMessage(channel, "before any sanction");
      expect(first.op, JSON.stringify(first)).toBe("ack");

      const banned = await api(server.url, "POST", `/api/channels/${channel}/bans`, {
        token: moderator.token,
        body: { username: victim.user.username, reason: "spam" },
      });
      expect(banned.status, banned.text).toBe(201);
      const refused = await ws.sendMessage(channel, "while banned");
      // A ban has no end: `until` is null.
      expect(refused).toMatchObject({ op: "error", code: "banned", channel, until: null });
      const rest = await postMessage(server.url, victim, channel, "while banned, over REST");
      expect(rest.status).toBe(403);
      expect(rest.body.error).toMatchObject({ code: "banned", until: null });
      expect(ws.isOpen, "a ban refuses sends; it does not close the connection").toBe(true);

      // A timeout replaces the ban.
      const timedOut = await api<{ ban: { until: number } }>(server.url, "POST", `/api/channels/${channel}/bans`, {
        token: moderator.token,
        body: { username: victim.user.username, durationSec: 60 },
      });
      expect(timedOut.status, timedOut.text).toBe(201);
      const until = timedOut.body.ban.until;
      const sentAt = Date.now();
      const frame = await ws.sendMessage(channel, "while timed out");
      if (frame.op !== "error") throw new Error(`expected an error, got ${JSON.stringify(frame)}`);
      expect(frame.code).toBe("timed_out");
      expect(frame.until).toBe(until);
      expect(frame.retryAfterMs).toBeGreaterThan(0);
      expect(frame.retryAfterMs).toBeLessThanOrEqual(60_000);
      // retryAfterMs counts down to `until` from when the server received the send.
      expect(Math.abs(sentAt + (frame.retryAfterMs ?? 0) - until)).toBeLessThan(2_000);

      const lifted = await api(server.url, "DELETE", `/api/channels/${channel}/bans/${victim.user.username}`, {
        token: moderator.token,
      });
      expect(lifted.status, lifted.text).toBe(204);
      const after = await ws.sendMessage(channel, "after the unban");
      expect(after.op, JSON.stringify(after)).toBe("ack");
    } finally {
      ws.close();
    }
  });
});
