/**
 * Blocked terms and the review queue over real sockets: reject (400 blocked_term), mask
 * (published with ***), hold (202 / {op:"held"}, moderators see message_held live, approve
 * publishes, deny drops, both logged), evasions caught, ordinary words untouched, the queue
 * surviving a restart.
 */
import type { Message } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import { api, createChannel, postMessage, register, type Session, WsClient } from "./helpers.js";

interface Held {
  id: string;
  message: Message;
  reasons: string[];
}

describe("blocked terms and held messages", () => {
  let server: TestServer;
  let owner: Session;
  let mod: Session;
  let viewer: Session;
  let channel: string;
  const url = () => server.url;
  const heldList = async (by: Session) => {
    const res = await api<{ held: Held[] }>(url(), "GET", `/api/channels/${channel}/held`, { token: by.token });
    expect(res.status, res.text).toBe(200);
    return res.body.held;
  };
  const resolve = (by: Session, id: string, verdict: "approve" | "deny") =>
    api<{ message?: Message }>(url(), "POST", `/api/channels/${channel}/held/${id}/${verdict}`, { token: by.token });

  beforeAll(async () => {
    server = await startTestServer();
    owner = await register(server.url, "owner");
    mod = await register(server.url, "mod");
    viewer = await register(server.url, "viewer");
    channel = await createChannel(server.url, owner);
    await server.server().services.channels.setRole(channel, mod.user.id, "moderator");
    const res = await api<{ channel: { settings: { blockedTerms: unknown[] } } }>(
      url(),
      "PATCH",
      `/api/channels/${channel}`,
      {
        token: owner.token,
        body: {
          settings: {
            blockedTerms: ["BadWord", { term: "darn", action: "mask" }, { term: "heck", action: "hold" }, "ass"],
          },
        },
      },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.channel.settings.blockedTerms).toEqual([
      { term: "badword", action: "reject" },
      { term: "darn", action: "mask" },
      { term: "heck", action: "hold" },
      { term: "ass", action: "reject" },
    ]);
  });
  afterAll(async () => {
    await server.dispose();
  });

  it("rejects, masks and lets ordinary words through; evasions are caught; moderators are not filtered", async () => {
    for (const text of ["badword", "b4dw0rd", "b a d w o r d", "BАDWОRD", "bad\u200Bword", "baaaadword", "you ass"]) {
      const res = await postMessage(url(), viewer, channel, text);
      expect(res.status, `${text}: ${res.text}`).toBe(400);
      expect(res.body).toMatchObject({ error: { code: "blocked_term" } });
    }
    const masked = await postMessage(url(), viewer, channel, "oh darn it");
    expect(masked.status).toBe(201);
    expect(masked.body.message.text).toBe("oh *** it");
    for (const text of ["assistant", "classic", "Scunthorpe", "therapist", "shitake", "as you wish"]) {
      expect((await postMessage(url(), viewer, channel, text)).status, text).toBe(201);
    }
    expect((await postMessage(url(), mod, channel, "badword (quoting)")).status).toBe(201);
  });

  it("holds for review: the sender is told, moderators see it live, viewers never; approve publishes it", async () => {
    const modWs = await WsClient.authed(url(), mod.token);
    const viewerWs = await WsClient.authed(url(), viewer.token);
    try {
      await modWs.subscribe(channel);
      await viewerWs.subscribe(channel);
      const rest = await api<{ held: boolean; id: string }>(url(), "POST", `/api/channels/${channel}/messages`, {
        token: viewer.token,
        body: { text: "what the h.e.c.k", nonce: "held-1" },
      });
      expect(rest.status, rest.text).toBe(202);
      expect(rest.body).toMatchObject({ held: true });
      // A retried send of the same message is the same held message, not a second one.
      const retry = await api<{ id: string }>(url(), "POST", `/api/channels/${channel}/messages`, {
        token: viewer.token,
        body: { text: "what the h.e.c.k", nonce: "held-1" },
      });
      expect(retry.status).toBe(202);
      expect(retry.body.id).toBe(rest.body.id);
      const ws = await viewerWs.sendMessage(channel, "heck yes");
      expect(ws).toMatchObject({ op: "held" });
      const wsId = ws.op === "held" ? ws.id : "";

      await modWs.waitForEvent(
        "message_held",
        (e) => e.data.message.id === rest.body.id && e.data.reasons.includes("blocked_term"),
      );
      await modWs.waitForEvent("message_held", (e) => e.data.message.id === wsId);
      const queue = await heldList(mod);
      expect(queue.map((h) => h.id)).toEqual([rest.body.id, wsId]);
      expect(queue[0]?.message.text).toBe("what the h.e.c.k");
      expect((await api(url(), "GET", `/api/channels/${channel}/held`, { token: viewer.token })).status).toBe(403);
      expect((await resolve(viewer, wsId, "approve")).status).toBe(403);

      const mark = viewerWs.mark();
      const approved = await resolve(mod, rest.body.id, "approve");
      expect(approved.status, approved.text).toBe(200);
      expect(approved.body.message?.text).toBe("what the h.e.c.k");
      await viewerWs.waitForEvent("message", (e) => e.data.id === rest.body.id, mark);
      await modWs.waitForEvent("held_resolved", (e) => e.data.id === rest.body.id && e.data.approved);
      expect((await resolve(mod, rest.body.id, "approve")).status).toBe(404);

      expect((await resolve(mod, wsId, "deny")).status).toBe(204);
      await modWs.waitForEvent(
        "held_resolved",
        (e) => e.data.id === wsId && !e.data.approved && e.data.by === mod.user.username,
      );
      expect(await heldList(mod)).toEqual([]);
      // Nothing moderator-only ever reached the viewer's socket.
      expect(
        viewerWs.frames.some((f) => f.op === "event" && (f.type === "message_held" || f.type === "held_resolved")),
      ).toBe(false);
      expect(viewerWs.messageEvents(channel).map((e) => e.data.id)).not.toContain(wsId);

      const log = await api<{ entries: Array<{ action: string; details: { messageId?: string } }> }>(
        url(),
        "GET",
        `/api/channels/${channel}/modlog`,
        { token: owner.token },
      );
      expect(
        log.body.entries.filter((e) => e.action.endsWith("_held")).map((e) => [e.action, e.details.messageId]),
      ).toEqual([
        ["deny_held", wsId],
        ["approve_held", rest.body.id],
      ]);
    } finally {
      modWs.close();
      viewerWs.close();
    }
  });

  it("keeps the queue across a restart", async () => {
    const held = await api<{ id: string }>(url(), "POST", `/api/channels/${channel}/messages`, {
      token: viewer.token,
      body: { text: "heck" },
    });
    expect(held.status).toBe(202);
    await server.restart();
    expect((await heldList(mod)).map((h) => h.id)).toEqual([held.body.id]);
    expect((await resolve(mod, held.body.id, "approve")).status).toBe(200);
  });
});
