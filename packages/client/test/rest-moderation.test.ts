/** The SDK's review-queue, suspicious-user, standing and settings helpers against a fake fetch. */
import type { HeldMessage, UserStatus } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import { ChorusError } from "../src/errors.js";
import { type FetchLike, RestClient } from "../src/rest.js";
import { message } from "./helpers.js";

interface Call {
  method: string;
  path: string;
  body?: unknown;
}

function fakeFetch(respond: (call: Call) => { status: number; body?: unknown }) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    const call: Call = { method: init.method, path: url.replace("http://chat.test", "") };
    if (init.body !== undefined) call.body = JSON.parse(init.body);
    calls.push(call);
    const { status, body } = respond(call);
    return {
      ok: status >= 200 && status < 300,
      status,
      headers: { get: () => null },
      text: async () => (body === undefined ? "" : JSON.stringify(body)),
    };
  };
  return { calls, rest: new RestClient({ baseUrl: "http://chat.test", fetch }) };
}

describe("RestClient moderation helpers", () => {
  it("lists, approves and denies held messages", async () => {
    const held: HeldMessage = { id: "m7", message: message(7), reasons: ["blocked_term"], at: 5 };
    const { rest, calls } = fakeFetch((call) => {
      if (call.path.endsWith("/held")) return { status: 200, body: { held: [held] } };
      if (call.path.endsWith("/approve")) return { status: 200, body: { message: message(9) } };
      return { status: 204 };
    });
    expect(await rest.listHeld("main")).toEqual([held]);
    expect(await rest.approveHeld("main", "m7")).toEqual(message(9));
    await expect(rest.denyHeld("main", "a/b")).resolves.toBeUndefined();
    expect(calls).toEqual([
      { method: "GET", path: "/api/channels/main/held" },
      { method: "POST", path: "/api/channels/main/held/m7/approve" },
      { method: "POST", path: "/api/channels/main/held/a%2Fb/deny" },
    ]);
  });

  it("reports a held message another moderator resolved first as not_found", async () => {
    const { rest } = fakeFetch(() => ({ status: 404, body: { error: { code: "not_found", message: "gone" } } }));
    const error = await rest.approveHeld("main", "m1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChorusError);
    expect(error).toMatchObject({ code: "not_found", status: 404 });
  });

  it("lists, sets and clears suspicious-user marks", async () => {
    const user: UserStatus = { username: "bob", status: "monitored", reason: "raid", by: "mod", at: 3 };
    const { rest, calls } = fakeFetch((call) => {
      if (call.method === "GET") return { status: 200, body: { users: [user] } };
      if (call.method === "PUT") return { status: 200, body: { user } };
      return { status: 204 };
    });
    expect(await rest.listSuspicious("main")).toEqual([user]);
    expect(await rest.setUserStatus("main", "bob", "monitored", { reason: "raid" })).toEqual(user);
    await rest.setUserStatus("main", "bob", "restricted");
    await rest.clearUserStatus("main", "bob");
    expect(calls).toEqual([
      { method: "GET", path: "/api/channels/main/suspicious" },
      { method: "PUT", path: "/api/channels/main/suspicious/bob", body: { status: "monitored", reason: "raid" } },
      { method: "PUT", path: "/api/channels/main/suspicious/bob", body: { status: "restricted" } },
      { method: "DELETE", path: "/api/channels/main/suspicious/bob" },
    ]);
  });

  it("reads the caller's standing and patches settings", async () => {
    const standing = { role: "moderator", canModerate: true, sanction: null, followedAt: null };
    const { rest, calls } = fakeFetch((call) =>
      call.method === "GET" ? { status: 200, body: standing } : { status: 200, body: { channel: { name: "main" } } },
    );
    expect(await rest.channelStanding("Main")).toEqual(standing);
    expect(
      await rest.updateChannel("main", {
        settings: { slowModeSec: 30, blockedTerms: ["x", { term: "y*", action: "hold" }] },
      }),
    ).toEqual({
      name: "main",
    });
    expect(calls).toEqual([
      { method: "GET", path: "/api/channels/Main/me" },
      {
        method: "PATCH",
        path: "/api/channels/main",
        body: { settings: { slowModeSec: 30, blockedTerms: ["x", { term: "y*", action: "hold" }] } },
      },
    ]);
  });
});
