/** The streamer-tool helpers of RestClient: paths, queries, bodies, and the ingest key as bearer. */
import { describe, expect, it } from "vitest";
import { ChorusError } from "../src/errors.js";
import { type FetchLike, RestClient } from "../src/rest.js";
import { message } from "./helpers.js";

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: unknown;
}

function fakeFetch(respond: (call: Call) => { status: number; body?: unknown }) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    const call: Call = { url, method: init.method, headers: init.headers };
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
  return { fetch, calls };
}

describe("RestClient streamer tools", () => {
  it("reads a transcript page with deleted placeholders and builds export URLs", async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 200, body: { messages: [message(5, "c h")] } }));
    const rest = new RestClient({ baseUrl: "http://chat.test", token: "t", fetch });
    const page = await rest.broadcastMessages("c h", "b/1", { after: 4, limit: 200, deleted: true });
    expect(page.map((m) => m.seq)).toEqual([5]);
    expect(calls[0]?.url).toBe(
      "http://chat.test/api/channels/c%20h/broadcasts/b%2F1/messages?after=4&limit=200&deleted=true",
    );
    await rest.broadcastMessages("c", "b");
    expect(calls[1]?.url).toBe("http://chat.test/api/channels/c/broadcasts/b/messages");
    expect(rest.broadcastExportUrl("c", "b", "csv")).toBe(
      "http://chat.test/api/channels/c/broadcasts/b/export?format=csv",
    );
  });

  it("manages connectors and ingest keys with the session token", async () => {
    const key = { id: "k1", label: "bot", createdAt: 1, lastUsedAt: null };
    const { fetch, calls } = fakeFetch((call) => {
      if (call.method === "PUT")
        return {
          status: 200,
          body: { connector: { platform: "kick", source: "xqc", state: "connected", lastMessageAt: null } },
        };
      if (call.method === "DELETE") return { status: 204 };
      if (call.method === "POST") return { status: 201, body: { key, secret: "chorus_ik_x" } };
      return { status: 200, body: { keys: [key] } };
    });
    const rest = new RestClient({ baseUrl: "http://chat.test", token: "session", fetch });
    expect((await rest.putConnector("c", "kick", "xqc")).state).toBe("connected");
    expect(calls[0]).toMatchObject({
      method: "PUT",
      url: "http://chat.test/api/channels/c/connectors/kick",
      body: { source: "xqc" },
    });
    await rest.deleteConnector("c", "kick");
    expect(calls[1]).toMatchObject({ method: "DELETE", url: "http://chat.test/api/channels/c/connectors/kick" });
    expect(await rest.createIngestKey("c", "bot")).toEqual({ key, secret: "chorus_ik_x" });
    expect(calls[2]?.body).toEqual({ label: "bot" });
    await rest.createIngestKey("c");
    expect(calls[3]?.body).toEqual({});
    expect(await rest.listIngestKeys("c")).toEqual([key]);
    await rest.revokeIngestKey("c", "k1");
    expect(calls[5]).toMatchObject({ method: "DELETE", url: "http://chat.test/api/channels/c/ingest-keys/k1" });
    for (const call of calls) expect(call.headers["authorization"]).toBe("Bearer session");
  });

  it("ingests with the key's secret, not the session token, and maps a refused key to a 401 error", async () => {
    let refuse = false;
    const { fetch, calls } = fakeFetch(() =>
      refuse
        ? { status: 401, body: { error: { code: "unauthorized", message: "unknown ingest key" } } }
        : { status: 200, body: { results: [{ externalId: "e1", status: "published", id: "m1", seq: 1 }] } },
    );
    const rest = new RestClient({ baseUrl: "http://chat.test", token: "session", fetch });
    const results = await rest.ingest("c", "twitch", "chorus_ik_s", [{ externalId: "e1", username: "a", text: "hi" }]);
    expect(results[0]?.status).toBe("published");
    expect(calls[0]?.url).toBe("http://chat.test/api/channels/c/ingest/twitch");
    expect(calls[0]?.headers["authorization"]).toBe("Bearer chorus_ik_s");
    expect(calls[0]?.body).toEqual([{ externalId: "e1", username: "a", text: "hi" }]);
    expect(rest.token).toBe("session");
    refuse = true;
    const error = await rest
      .ingest("c", "kick", "bad", [{ externalId: "e2", username: "a", text: "x" }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChorusError);
    expect((error as ChorusError).status).toBe(401);
  });
});
