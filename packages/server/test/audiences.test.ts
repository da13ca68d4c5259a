/**
 * Audiences: an event published to `moderators` reaches the channel's moderators, owner and
 * admins — over WebSocket and SSE — and never a viewer's, a guest's or an anonymous socket;
 * a role change moves a subscriber between audiences at once, without resubscribing.
 */
import type { ChannelEvent, ServerFrame } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import {
  createChannel,
  eventually,
  guest,
  loginAdmin,
  register,
  type Session,
  SseClient,
  sleep,
  WsClient,
} from "./helpers.js";

const presenceEvent = (channel: string, username: string): ChannelEvent => ({
  op: "event",
  channel,
  type: "user_joined",
  at: Date.now(),
  data: { username },
});

describe("hub audiences", () => {
  let server: TestServer;
  let admin: Session;
  beforeAll(async () => {
    server = await startTestServer();
    admin = await loginAdmin(server.url);
  });
  afterAll(async () => {
    await server.dispose();
  });

  it("delivers moderator-only events to moderators only, and follows role changes", async () => {
    const owner = await register(server.url, "owner");
    const channel = await createChannel(server.url, owner);
    const viewer = await register(server.url, "viewer");
    const visitor = await guest(server.url, "visitor");
    const { hub, channels } = server.server().services;

    const ownerWs = await WsClient.authed(server.url, owner.token);
    const adminWs = await WsClient.authed(server.url, admin.token);
    const viewerWs = await WsClient.authed(server.url, viewer.token);
    const guestWs = await WsClient.authed(server.url, visitor.token);
    const anonymousWs = await WsClient.connect(server.url);
    const anonymousSse = await SseClient.open(server.url, `/api/channels/${channel}/events`);
    const all = [ownerWs, adminWs, viewerWs, guestWs, anonymousWs];
    try {
      for (const ws of all) await ws.subscribe(channel);

      hub.publish(channel, [presenceEvent(channel, "for-moderators-1")], "moderators");
      // Published after it, to everyone: once a socket has this, it would have had the other.
      hub.publish(channel, [presenceEvent(channel, "for-everyone-1")]);
      const joined = (from: WsClient | ServerFrame[]) =>
        (Array.isArray(from) ? from : from.frames).flatMap((f) =>
          f.op === "event" && f.type === "user_joined" ? [f.data.username] : [],
        );
      for (const ws of all) await ws.waitForEvent("user_joined", (e) => e.data.username === "for-everyone-1");
      await anonymousSse.waitFor((e) => e.data.includes("for-everyone-1"));
      expect(joined(ownerWs)).toEqual(expect.arrayContaining(["for-moderators-1", "for-everyone-1"]));
      expect(joined(adminWs)).toEqual(expect.arrayContaining(["for-moderators-1", "for-everyone-1"]));
      for (const ws of [viewerWs, guestWs, anonymousWs]) expect(joined(ws)).not.toContain("for-moderators-1");
      expect(anonymousSse.events.some((e) => e.data.includes("for-moderators-1"))).toBe(false);

      // Promoted: the viewer's open socket hears the moderators from now on.
      await channels.setRole(channel, viewer.user.id, "moderator");
      let probe = 0;
      await eventually(async () => {
        const name = `probe-${++probe}`;
        hub.publish(channel, [presenceEvent(channel, name)], "moderators");
        await sleep(50);
        return joined(viewerWs).includes(name) ? true : undefined;
      }, "the promoted viewer to hear the moderators");
      // Demoted again: nothing for moderators reaches it any more (the owner still hears it).
      await channels.setRole(channel, viewer.user.id, "viewer");
      await eventually(async () => {
        const name = `after-demotion-${++probe}`;
        const mark = viewerWs.mark();
        hub.publish(channel, [presenceEvent(channel, name)], "moderators");
        hub.publish(channel, [presenceEvent(channel, `marker-${probe}`)]);
        await viewerWs.waitForEvent("user_joined", (e) => e.data.username === `marker-${probe}`, mark);
        await ownerWs.waitForEvent("user_joined", (e) => e.data.username === name);
        return joined(viewerWs.frames.slice(mark)).includes(name) ? undefined : true;
      }, "the demoted viewer to stop hearing the moderators");
    } finally {
      for (const ws of all) ws.close();
      anonymousSse.close();
    }
  });
});
