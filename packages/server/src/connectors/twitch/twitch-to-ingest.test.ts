import { IngestItem } from "@chorus/protocol";
import { Value } from "@sinclair/typebox/value";
import { describe, expect, it } from "vitest";
import { parseIrcLine } from "./irc.js";
import {
  parseBadges,
  parseEmotes,
  privmsgToIngest,
  stripAction,
  type TwitchEvent,
  toTwitchEvent,
  twitchEmoteUrl,
} from "./twitch-to-ingest.js";

/**
 * Sample lines: from Twitch's "IRC tags" and "Sending and receiving chat messages" docs where
 * they have one, else as captured from live Twitch chat in the tests of twitch-irc-rs and
 * Chatterino.
 */
const LINES = {
  // Twitch docs, IRC tags (intro): a broadcaster's message.
  broadcaster:
    "@badge-info=;badges=broadcaster/1;client-nonce=997dcf443c31e258c1d32a8da47b6936;color=#0000FF;display-name=abc;emotes=;first-msg=0;flags=0-6:S.7;id=eb24e920-8065-492a-8aea-266a00fc5126;mod=0;room-id=713936733;subscriber=0;tmi-sent-ts=1642786203573;turbo=0;user-id=713936733;user-type= :abc!abc@abc.tmi.twitch.tv PRIVMSG #xyz :HeyGuys",
  // Twitch docs, PRIVMSG tags: emotes; no first-msg tag.
  emotes:
    "@badge-info=;badges=turbo/1;color=#0D4200;display-name=ronni;emotes=25:0-4,12-16/1902:6-10;id=b34ccfc7-4977-403a-8a94-33c6bac34fb8;mod=0;room-id=1337;subscriber=0;tmi-sent-ts=1507246572675;turbo=1;user-id=1337;user-type=global_mod :ronni!ronni@ronni.tmi.twitch.tv PRIVMSG #ronni :Kappa Keepo Kappa",
  // Twitch docs, PRIVMSG tags: a VIP (the docs give the tags; prefix and text added).
  vip: "@badge-info=;badges=vip/1,partner/1;client-nonce=cd15335a5e2059c3b087e22612de485e;color=;display-name=fun2bfun;emotes=;first-msg=0;flags=;id=1fd20412-965f-4c96-beb3-52266448f564;mod=0;returning-chatter=0;room-id=102336968;subscriber=0;tmi-sent-ts=1661372052425;turbo=0;user-id=12345678;user-type=;vip=1 :fun2bfun!fun2bfun@fun2bfun.tmi.twitch.tv PRIVMSG #bar :hello",
  // Live capture (twitch-irc-rs): a moderator subscribed 22 months (badge tier 12), nine emotes.
  subscriber:
    "@badge-info=subscriber/22;badges=moderator/1,subscriber/12;color=#19E6E6;display-name=randers;emotes=1902:6-10,29-33,35-39/499:45-46,48-49/490:51-52/25:0-4,12-16,18-22;flags=;id=f9c5774b-faa7-4378-b1af-c4e08b532dc2;mod=1;room-id=11148817;subscriber=1;tmi-sent-ts=1594556065407;turbo=0;user-id=40286300;user-type=mod :randers!randers@randers.tmi.twitch.tv PRIVMSG #pajlada :Kappa Keepo Kappa Kappa test Keepo Keepo 123 :) :) :P",
  // Live capture (twitch-irc-rs): emote positions count code points, not UTF-16 units.
  emoji:
    "@badge-info=subscriber/22;badges=moderator/1,subscriber/12;color=#19E6E6;display-name=randers;emotes=483:2-3,7-8,12-13;flags=;id=3695cb46-f70a-4d6f-a71b-159d434c45b5;mod=1;room-id=11148817;subscriber=1;tmi-sent-ts=1594557379272;turbo=0;user-id=40286300;user-type=mod :randers!randers@randers.tmi.twitch.tv PRIVMSG #pajlada :👉 <3 👉 <3 👉 <3",
  // Live capture (twitch-irc-rs): /me.
  action:
    "@badge-info=subscriber/22;badges=moderator/1,subscriber/12;color=#19E6E6;display-name=randers;emotes=;flags=;id=d831d848-b7c7-4559-ae3a-2cb88f4dbfed;mod=1;room-id=11148817;subscriber=1;tmi-sent-ts=1594555275886;turbo=0;user-id=40286300;user-type=mod :randers!randers@randers.tmi.twitch.tv PRIVMSG #pajlada :\u0001ACTION -tags\u0001",
  // Live capture (twitch-irc-rs): a reply.
  reply:
    "@badge-info=;badges=;client-nonce=cd56193132f934ac71b4d5ac488d4bd6;color=;display-name=LeftSwing;emotes=;first-msg=0;flags=;id=5b4f63a9-776f-4fce-bf3c-d9707f52e32d;mod=0;reply-parent-display-name=Retoon;reply-parent-msg-body=hello;reply-parent-msg-id=6b13e51b-7ecb-43b5-ba5b-2bb5288df696;reply-parent-user-id=37940952;reply-parent-user-login=retoon;returning-chatter=0;room-id=37940952;subscriber=0;tmi-sent-ts=1673925983585;turbo=0;user-id=133651738;user-type= :leftswing!leftswing@leftswing.tmi.twitch.tv PRIVMSG #retoon :@Retoon yes",
  // Live capture (Chatterino): a first-time chatter, emote only.
  firstMessage:
    "@badge-info=;badges=glhf-pledge/1;client-nonce=5d2627b0cbe56fa05faf5420def4807d;color=#1E90FF;display-name=oldcoeur;emote-only=1;emotes=84608:0-7;first-msg=1;flags=;id=7412fea4-8683-4cc9-a506-4228127a5c2d;mod=0;room-id=11148817;subscriber=0;tmi-sent-ts=1623429859222;turbo=0;user-id=139147886;user-type= :oldcoeur!oldcoeur@oldcoeur.tmi.twitch.tv PRIVMSG #pajlada :cmonBruh",
  // Live capture (Chatterino): a founder.
  founder:
    "@badge-info=founder/72;badges=founder/0,bits/5000;color=#FF0000;display-name=TranRed;emotes=;first-msg=0;flags=;id=7482163f-493d-41d9-b36f-fba50e0701b7;mod=0;room-id=11148817;subscriber=0;tmi-sent-ts=1641123773885;turbo=0;user-id=57019243;user-type= :tranred!tranred@tranred.tmi.twitch.tv PRIVMSG #pajlada :GFMP pajaE",
  // Live capture (Chatterino, twitch-irc-rs): display names with an escaped space.
  escapedName:
    "@badges=;color=#00AD2B;display-name=Iamme420\\s;emotes=;id=d47a1e4b-a3c6-4b9e-9bf1-51b8f3dbc76e;mod=0;room-id=11148817;subscriber=0;tmi-sent-ts=1529670347537;turbo=0;user-id=56422869;user-type= :iamme420!iamme420@iamme420.tmi.twitch.tv PRIVMSG #pajlada :offline chat gachiBASS",
  riotGames:
    "@badge-info=;badges=;color=;display-name=Riot\\sGames;emotes=;flags=;id=bdfa278e-11c4-484f-9491-0a61b16fab60;mod=1;room-id=36029255;subscriber=0;tmi-sent-ts=1593953876927;turbo=0;user-id=36029255;user-type= :riotgames!riotgames@riotgames.tmi.twitch.tv PRIVMSG #riotgames :test fake message",
  // Twitch docs, CLEARCHAT tags: ban, clear, timeout.
  ban: "@room-id=12345678;target-user-id=87654321;tmi-sent-ts=1642715756806 :tmi.twitch.tv CLEARCHAT #dallas :ronni",
  clearAll: "@room-id=12345678;tmi-sent-ts=1642715695392 :tmi.twitch.tv CLEARCHAT #dallas",
  timeout:
    "@ban-duration=350;room-id=12345678;target-user-id=87654321;tmi-sent-ts=1642719320727 :tmi.twitch.tv CLEARCHAT #dallas :ronni",
  // Twitch docs, CLEARMSG tags.
  clearmsg:
    "@login=foo;room-id=;target-msg-id=94e6c7ff-bf98-4faa-af5d-7ad633a158a9;tmi-sent-ts=1642720582342 :tmi.twitch.tv CLEARMSG #bar :what a great day",
  // Twitch docs: lines that mean nothing to the mirror.
  roomstate: "@emote-only=0;followers-only=-1;r9k=0;room-id=12345678;slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #bar",
  notice: "@msg-id=delete_message_success :tmi.twitch.tv NOTICE #bar :The message from foo is now deleted.",
} as const;

function event(line: string): TwitchEvent | null {
  const message = parseIrcLine(line);
  if (message === null) throw new Error("no message");
  return toTwitchEvent(message);
}

function item(line: string): IngestItem {
  const result = event(line);
  if (result?.kind !== "message") throw new Error(`not a message: ${JSON.stringify(result)}`);
  // Whatever the line, the item must pass the ingest schema as it is.
  expect(Value.Errors(IngestItem, result.item).First()).toBeUndefined();
  return result.item;
}

const emoteUrl = (id: string) => `https://static-cdn.jtvnw.net/emoticons/v2/${id}/default/dark/1.0`;

describe("PRIVMSG → ingest item", () => {
  it("maps a broadcaster's message field by field", () => {
    expect(event(LINES.broadcaster)).toEqual({
      kind: "message",
      channel: "xyz",
      item: {
        externalId: "eb24e920-8065-492a-8aea-266a00fc5126",
        username: "abc",
        displayName: "abc",
        color: "#0000FF",
        badges: ["broadcaster/1"],
        text: "HeyGuys",
        sentAt: 1642786203573,
        firstMessage: false,
      },
    });
  });

  it("reads emotes with their names, positions and image URLs, in text order", () => {
    expect(item(LINES.emotes).emotes).toEqual([
      { name: "Kappa", start: 0, end: 4, url: emoteUrl("25") },
      { name: "Keepo", start: 6, end: 10, url: emoteUrl("1902") },
      { name: "Kappa", start: 12, end: 16, url: emoteUrl("25") },
    ]);
    const many = item(LINES.subscriber);
    expect(many.emotes?.map((emote) => `${emote.name}@${emote.start}-${emote.end}`)).toEqual([
      "Kappa@0-4",
      "Keepo@6-10",
      "Kappa@12-16",
      "Kappa@18-22",
      "Keepo@29-33",
      "Keepo@35-39",
      ":)@45-46",
      ":)@48-49",
      ":P@51-52",
    ]);
    expect(many.emotes?.[6]?.url).toBe(emoteUrl("499"));
  });

  it("counts emote positions in code points (an emoji before the emote)", () => {
    const emoji = item(LINES.emoji);
    expect(emoji.text).toBe("👉 <3 👉 <3 👉 <3");
    expect(emoji.emotes).toEqual([
      { name: "<3", start: 2, end: 3, url: emoteUrl("483") },
      { name: "<3", start: 7, end: 8, url: emoteUrl("483") },
      { name: "<3", start: 12, end: 13, url: emoteUrl("483") },
    ]);
  });

  it("puts the months of badge-info into the subscriber badge, keeps the others as they are", () => {
    expect(item(LINES.subscriber).badges).toEqual(["moderator/1", "subscriber/22"]);
    expect(item(LINES.vip).badges).toEqual(["vip/1", "partner/1"]);
    expect(item(LINES.founder).badges).toEqual(["founder/0", "bits/5000"]);
    expect(item(LINES.emotes).badges).toEqual(["turbo/1"]);
  });

  it("leaves out an empty colour and empty badges", () => {
    const vip = item(LINES.vip);
    expect(vip).not.toHaveProperty("color");
    expect(vip.displayName).toBe("fun2bfun");
    expect(item(LINES.reply)).not.toHaveProperty("badges");
  });

  it("strips the CTCP ACTION wrapper of /me", () => {
    expect(item(LINES.action).text).toBe("-tags");
  });

  it("counts emote positions of /me from after the ACTION wrapper (Twitch docs)", () => {
    const line =
      "@badge-info=;badges=;color=;display-name=ronni;emotes=25:6-10;id=0b8f5ad6-8f0c-4f4d-b5b0-5b6b0e1e6f5a;tmi-sent-ts=1507246572675 :ronni!ronni@ronni.tmi.twitch.tv PRIVMSG #ronni :\u0001ACTION waves Kappa\u0001";
    const action = item(line);
    expect(action.text).toBe("waves Kappa");
    expect(action.emotes).toEqual([{ name: "Kappa", start: 6, end: 10, url: emoteUrl("25") }]);
  });

  it("links a reply to its parent by the parent's id", () => {
    const reply = item(LINES.reply);
    expect(reply.replyTo).toBe("6b13e51b-7ecb-43b5-ba5b-2bb5288df696");
    expect(reply.text).toBe("@Retoon yes");
    expect(reply.username).toBe("leftswing");
    expect(reply.displayName).toBe("LeftSwing");
    expect(item(LINES.broadcaster)).not.toHaveProperty("replyTo");
  });

  it("marks a first-time chatter's message", () => {
    const first = item(LINES.firstMessage);
    expect(first.firstMessage).toBe(true);
    expect(first.emotes).toEqual([{ name: "cmonBruh", start: 0, end: 7, url: emoteUrl("84608") }]);
    expect(item(LINES.founder).firstMessage).toBe(false);
    expect(item(LINES.emotes).firstMessage).toBe(false);
  });

  it("unescapes the display name and trims the space Twitch sometimes leaves at its end", () => {
    expect(item(LINES.riotGames).displayName).toBe("Riot Games");
    expect(item(LINES.escapedName).displayName).toBe("Iamme420");
  });

  it("takes the login from the login tag when the prefix has none", () => {
    const line =
      "@id=1f1afcdd-d94c-4699-b35f-d214deb1e11a;login=SomeOne;display-name=SomeOne :tmi.twitch.tv PRIVMSG #c :hi";
    expect(item(line).username).toBe("someone");
  });

  it("drops a message without an id or an author, and lines for no channel", () => {
    expect(event(":ronni!ronni@ronni.tmi.twitch.tv PRIVMSG #ronni :no tags, no id")).toBeNull();
    expect(event("@id=abc :tmi.twitch.tv PRIVMSG #ronni :no author")).toBeNull();
    expect(event("@id=abc;id= :ronni!ronni@ronni.tmi.twitch.tv PRIVMSG #ronni :empty id")).toBeNull();
    expect(event("@id=abc :ronni!ronni@ronni.tmi.twitch.tv PRIVMSG justinfan123 :a whisper-like target")).toBeNull();
    expect(event(LINES.roomstate)).toBeNull();
    expect(event(LINES.notice)).toBeNull();
  });

  it("keeps optional fields within the schema's limits instead of losing the message", () => {
    const long = "x".repeat(65);
    const line = `@id=abc;display-name=${long};color=${long};tmi-sent-ts=99999999999999999;badges=${"b".repeat(70)}/1,moderator/1;reply-parent-msg-id=${"r".repeat(129)};emotes=25:0-3/bad\\:id:0-1/26:9-12/27:2-5 :ronni!ronni@ronni.tmi.twitch.tv PRIVMSG #ronni :hey\u0000you`;
    const odd = item(line);
    expect(odd.text).toBe("heyyou");
    expect(odd).not.toHaveProperty("displayName");
    expect(odd).not.toHaveProperty("color");
    expect(odd).not.toHaveProperty("sentAt");
    expect(odd).not.toHaveProperty("replyTo");
    expect(odd.badges).toEqual(["moderator/1"]);
    // 26:9-12 lies beyond the text; 27:2-5 overlaps 25:0-3; bad;id is no emote id.
    expect(odd.emotes).toEqual([{ name: "heyy", start: 0, end: 3, url: emoteUrl("25") }]);
  });
});

describe("CLEARCHAT and CLEARMSG", () => {
  it("reads a ban, a timeout with its length, and a cleared chat (Twitch docs)", () => {
    expect(event(LINES.ban)).toEqual({ kind: "cleared", channel: "dallas", target: { login: "ronni" } });
    expect(event(LINES.timeout)).toEqual({
      kind: "cleared",
      channel: "dallas",
      target: { login: "ronni", durationSec: 350 },
    });
    expect(event(LINES.clearAll)).toEqual({ kind: "cleared", channel: "dallas", target: null });
  });

  it("reads a deleted message by its id (Twitch docs)", () => {
    expect(event(LINES.clearmsg)).toEqual({
      kind: "deleted",
      channel: "bar",
      externalId: "94e6c7ff-bf98-4faa-af5d-7ad633a158a9",
    });
    expect(event(":tmi.twitch.tv CLEARMSG #bar :no target")).toBeNull();
  });
});

describe("helpers", () => {
  it("parseBadges ignores malformed entries and repeats", () => {
    expect(parseBadges("moderator/1,,nobadge,/1,moderator/1,subscriber/3012", "subscriber/47")).toEqual([
      "moderator/1",
      "subscriber/47",
    ]);
    expect(parseBadges("subscriber/3012", "")).toEqual(["subscriber/3012"]);
    expect(parseBadges("subscriber/0", "subscriber/007")).toEqual(["subscriber/7"]);
    expect(parseBadges(undefined, "subscriber/3")).toEqual([]);
  });

  it("parseEmotes accepts emotesv2 ids and skips malformed ranges", () => {
    const id = "emotesv2_8811dd848a214cef8a77575476cc33f4";
    expect(parseEmotes(`${id}:0-9`, "shared9Dog")).toEqual([
      { name: "shared9Dog", start: 0, end: 9, url: twitchEmoteUrl(id) },
    ]);
    expect(parseEmotes("25:4-0,x-y,0-99/:0-1/25", "Kappa")).toEqual([]);
  });

  it("stripAction leaves other text alone and tolerates a missing closing \\x01", () => {
    expect(stripAction("plain")).toEqual({ text: "plain", action: false });
    expect(stripAction("\u0001ACTION waves")).toEqual({ text: "waves", action: true });
    expect(stripAction("\u0001VERSION\u0001")).toEqual({ text: "\u0001VERSION\u0001", action: false });
  });

  it("privmsgToIngest refuses other commands", () => {
    const message = parseIrcLine(LINES.clearmsg);
    expect(message && privmsgToIngest(message)).toBeNull();
  });
});
