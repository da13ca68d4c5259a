/**
 * The Twitch and YouTube connectors end to end: the server reads a channel's chat from a local stand-in of
 * Twitch's IRC-over-WebSocket server (TWITCH_IRC_URL) and mirrors it into a Chorus channel
 * through the ingest path, with the origin's deletions, bans and clears carried over; the
 * owner configures it and everyone with rights sees its state.
 */
import type { Message } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { privmsgLine, TwitchIrcStandin } from "../src/connectors/twitch/twitch-irc-standin.js";
import { YouTubeApiStandin } from "../src/connectors/youtube/youtube-api-standin.js";
import { startTestServer, type TestServer } from "./harness.js";
import { api, createChannel, register, type Session, sleep, WsClient } from "./helpers.js";

/** Retries `assertion` until it stops throwing, or throws its last error after `timeoutMs`. */
async function eventually(assertion: () => unknown, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(25);
    }
  }
}

interface ConnectorView {
  platform: string;
  source: string;
  state: string;
  lastMessageAt: number | null;
  error?: string;
}

describe("Twitch connector", () => {
  let standin: TwitchIrcStandin;
  let server: TestServer;
  let owner: Session;
  let mod: Session;
  let channel: string;
  const url = () => server.url;
  const connectors = async (s: Session) =>
    (
      await api<{ connectors: ConnectorView[] }>(url(), "GET", `/api/channels/${channel}/connectors`, {
        token: s.token,
      })
    ).body.connectors;

  beforeAll(async () => {
    standin = await TwitchIrcStandin.start();
    server = await startTestServer({
      connectors: { ...loadConfig({}).connectors, twitchIrcUrl: standin.url, scanMs: 200 },
    });
    owner = await register(server.url, "owner");
    mod = await register(server.url, "mod");
    channel = await createChannel(server.url, owner, "mirror");
    await server.server().services.channels.setRole(channel, mod.user.id, "moderator");
  });
  afterAll(async () => {
    await server?.dispose();
    await standin?.close();
  });

  it("only the owner configures it; bad platforms and sources are 400", async () => {
    const path = `/api/channels/${channel}/connectors/twitch`;
    expect((await api(url(), "PUT", path, { token: mod.token, body: { source: "streamer" } })).status).toBe(403);
    expect((await api(url(), "PUT", path, { token: owner.token, body: { source: "bad name!" } })).status).toBe(400);
    const other = `/api/channels/${channel}/connectors/myspace`;
    expect((await api(url(), "PUT", other, { token: owner.token, body: { source: "x" } })).status).toBe(400);
    expect((await api(url(), "GET", `/api/channels/${channel}/connectors`)).status).toBe(401);
  });

  it("mirrors PRIVMSG with its tags, and the origin's CLEARMSG and CLEARCHAT, and reports its state", async () => {
    const watcher = await WsClient.connect(url());
    try {
      await watcher.subscribe(channel);
      const put = await api<{ connector: ConnectorView }>(url(), "PUT", `/api/channels/${channel}/connectors/twitch`, {
        token: owner.token,
        body: { source: "#SomeStreamer" },
      });
      expect(put.status, put.text).toBe(200);
      expect(put.body.connector).toMatchObject({ platform: "twitch", source: "somestreamer", state: "connecting" });
      await eventually(async () => {
        expect(standin.received().some((l) => l === "JOIN #somestreamer")).toBe(true);
        expect((await connectors(mod))[0]?.state).toBe("connected");
      });
      standin.send(
        privmsgLine({
          channel: "somestreamer",
          login: "viewer_one",
          id: "tw-msg-1",
          text: "hello Kappa",
          tags: {
            "display-name": "Viewer_One",
            color: "#8A2BE2",
            badges: "subscriber/12,moderator/1",
            "badge-info": "subscriber/14",
            emotes: "25:6-10",
            "first-msg": "1",
          },
        }),
      );
      const mirrored = await watcher.waitForEvent("message", (e) => e.data.text === "hello Kappa", 0, 10_000);
      const m: Message = mirrored.data;
      expect(m.author).toMatchObject({
        username: "viewer_one@twitch",
        displayName: "Viewer_One",
        color: "#8A2BE2",
        platform: "twitch",
        role: "moderator",
      });
      expect(m.author.badges).toEqual(expect.arrayContaining(["subscriber/14", "moderator"]));
      expect(m.emotes).toEqual([
        { name: "Kappa", start: 6, end: 10, url: "https://static-cdn.jtvnw.net/emoticons/v2/25/default/dark/1.0" },
      ]);
      expect(m.firstMessage).toBe(true);

      // The origin deletes it: the mirrored copy goes too.
      standin.send(
        `@login=viewer_one;room-id=1;target-msg-id=tw-msg-1;tmi-sent-ts=${Date.now()} :tmi.twitch.tv CLEARMSG #somestreamer :hello Kappa`,
      );
      const deleted = await watcher.waitForEvent("message_deleted", (e) => e.data.id === m.id, 0, 10_000);
      expect(deleted.data.by).toBe("twitch");
      // A timeout on the origin removes that user's messages here.
      standin.send(
        `@ban-duration=600;room-id=1;target-user-id=2;tmi-sent-ts=${Date.now()} :tmi.twitch.tv CLEARCHAT #somestreamer :viewer_one`,
      );
      const timedOut = await watcher.waitForEvent("user_timed_out", () => true, 0, 10_000);
      expect(timedOut.data.username).toBe("viewer_one@twitch");

      await eventually(async () => {
        const [state] = await connectors(owner);
        expect(state?.lastMessageAt).toEqual(expect.any(Number));
      });
      expect(server.server().services.supervisor.runningHere()).toEqual([`${channel}:twitch`]);
    } finally {
      watcher.close();
    }
  });

  it("a message read twice (after a reconnect) is published once; a restart resumes it; deleting it closes its connection", async () => {
    const line = privmsgLine({ channel: "somestreamer", login: "viewer_two", id: "tw-msg-2", text: "only once" });
    standin.send(line);
    const before = standin.connections.length;
    standin.dropAll();
    // A new connection, joined again (lines sent before its JOIN would reach nobody).
    await eventually(
      () => expect(standin.connections.slice(before).some((c) => c.open && c.channels.has("#somestreamer"))).toBe(true),
      15_000,
    );
    standin.send(line);
    standin.send(privmsgLine({ channel: "somestreamer", login: "viewer_two", id: "tw-msg-3", text: "after" }));
    await eventually(async () => {
      const res = await api<{ messages: Message[] }>(url(), "GET", `/api/channels/${channel}/messages`);
      expect(res.body.messages.some((m) => m.text === "after")).toBe(true);
    }, 10_000);
    const res = await api<{ messages: Message[] }>(url(), "GET", `/api/channels/${channel}/messages`);
    expect(res.body.messages.filter((m) => m.text === "only once")).toHaveLength(1);

    // A restart: the configuration is in the store, so the connector comes back by itself,
    // and a USERNOTICE (a sub announcement, not mirrored) does not disturb it.
    const beforeRestart = standin.connections.length;
    await server.restart();
    await eventually(
      () =>
        expect(standin.connections.slice(beforeRestart).some((c) => c.open && c.channels.has("#somestreamer"))).toBe(
          true,
        ),
      15_000,
    );
    standin.send(
      `@badge-info=subscriber/3;badges=subscriber/3;display-name=Viewer_Two;id=tw-sub-1;login=viewer_two;msg-id=resub;msg-param-cumulative-months=3;room-id=1;system-msg=viewer_twossubscribed;tmi-sent-ts=${Date.now()} :tmi.twitch.tv USERNOTICE #somestreamer :three months!`,
    );
    standin.send(
      privmsgLine({ channel: "somestreamer", login: "viewer_two", id: "tw-msg-4", text: "after the restart" }),
    );
    await eventually(async () => {
      const res = await api<{ messages: Message[] }>(url(), "GET", `/api/channels/${channel}/messages`);
      expect(res.body.messages.some((m) => m.text === "after the restart")).toBe(true);
    }, 10_000);

    const del = await api(url(), "DELETE", `/api/channels/${channel}/connectors/twitch`, { token: owner.token });
    expect(del.status).toBe(204);
    await eventually(() => expect(standin.open.length).toBe(0));
    expect(server.server().services.supervisor.runningHere()).toEqual([]);
    expect(await connectors(owner)).toEqual([]);
  });
});

describe("YouTube connector", () => {
  let api$: YouTubeApiStandin;
  let server: TestServer;
  let owner: Session;
  let channel: string;

  beforeAll(async () => {
    api$ = await YouTubeApiStandin.start();
    api$.createChat("chat-abcdefghijk-1", "dQw4w9WgXcQ");
    server = await startTestServer({
      connectors: { ...loadConfig({}).connectors, youtubeApiUrl: api$.apiUrl, youtubeApiKey: api$.apiKey, scanMs: 200 },
    });
    owner = await register(server.url, "owner");
    channel = await createChannel(server.url, owner, "ytmirror");
  });
  afterAll(async () => {
    await server?.dispose();
    await api$?.close();
  });

  it("reads a video's live chat into the channel, with YouTube's deletions carried over", async () => {
    const watcher = await WsClient.connect(server.url);
    try {
      await watcher.subscribe(channel);
      const put = await api(server.url, "PUT", `/api/channels/${channel}/connectors/youtube`, {
        token: owner.token,
        body: { source: "dQw4w9WgXcQ" },
      });
      expect(put.status, put.text).toBe(200);
      const id = api$.pushText(
        "chat-abcdefghijk-1",
        { channelId: "UCfan000000000000000001", displayName: "Big Fan", isChatSponsor: true },
        "hello from youtube",
      );
      const got = await watcher.waitForEvent("message", (e) => e.data.text === "hello from youtube", 0, 10_000);
      expect(got.data.author).toMatchObject({ platform: "youtube", displayName: "Big Fan", role: "subscriber" });
      expect(got.data.author.badges).toContain("member");
      api$.pushDeletion("chat-abcdefghijk-1", { channelId: "UCmod", isChatModerator: true }, id);
      await watcher.waitForEvent("message_deleted", (e) => e.data.id === got.data.id, 0, 10_000);
    } finally {
      watcher.close();
    }
  });
});
