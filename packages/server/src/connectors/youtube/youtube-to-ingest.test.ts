import { describe, expect, it } from "vitest";
import { toYouTubeEvent, type YouTubeLiveChatMessage } from "./youtube-to-ingest.js";

const AUTHOR = { channelId: "UCabcdefghijklmnopqrstuv", displayName: "Ada" };
const AT = "2026-12-03T12:00:00.123Z";

function message(
  type: string,
  details: NonNullable<YouTubeLiveChatMessage["snippet"]>,
  author = {},
): YouTubeLiveChatMessage {
  return {
    kind: "youtube#liveChatMessage",
    id: "LCC.abc",
    snippet: { type, publishedAt: AT, authorChannelId: AUTHOR.channelId, ...details },
    authorDetails: { ...AUTHOR, ...author },
  };
}

describe("toYouTubeEvent", () => {
  it("maps a text message with the author's badges and time", () => {
    const event = toYouTubeEvent(
      message(
        "textMessageEvent",
        { displayMessage: "hi all", textMessageDetails: { messageText: "hi all" } },
        { isChatOwner: true, isChatModerator: true, isChatSponsor: true, isVerified: true },
      ),
    );
    expect(event).toEqual({
      kind: "message",
      item: {
        externalId: "LCC.abc",
        username: AUTHOR.channelId,
        displayName: "Ada",
        text: "hi all",
        badges: ["owner", "moderator", "member", "verified"],
        sentAt: Date.parse(AT),
      },
    });
  });

  it("falls back to displayMessage and leaves badges out when there are none", () => {
    const event = toYouTubeEvent(message("textMessageEvent", { displayMessage: "plain" }));
    expect(event?.kind === "message" && event.item.text).toBe("plain");
    expect(event?.kind === "message" && "badges" in event.item).toBe(false);
  });

  it("maps a super chat with its comment, or its amount when there is no comment", () => {
    const withComment = toYouTubeEvent(
      message("superChatEvent", { superChatDetails: { amountDisplayString: "$5.00", userComment: "love it" } }),
    );
    expect(withComment).toMatchObject({ kind: "message", item: { text: "love it", badges: ["superchat"] } });
    const bare = toYouTubeEvent(message("superChatEvent", { superChatDetails: { amountDisplayString: "€2.00" } }));
    expect(bare).toMatchObject({ kind: "message", item: { text: "Super Chat €2.00", badges: ["superchat"] } });
  });

  it("maps a super sticker with its amount and alt text", () => {
    const event = toYouTubeEvent(
      message(
        "superStickerEvent",
        { superStickerDetails: { amountDisplayString: "$1.99", superStickerMetadata: { altText: "cat waving" } } },
        { isChatSponsor: true },
      ),
    );
    expect(event).toMatchObject({
      kind: "message",
      item: { text: "Super Sticker $1.99: cat waving", badges: ["member", "superchat"] },
    });
  });

  it("maps memberships: a new member gets `member`, a milestone `member/<months>` instead", () => {
    const joined = toYouTubeEvent(
      message("newSponsorEvent", {
        displayMessage: "Welcome to Gold!",
        newSponsorDetails: { memberLevelName: "Gold" },
      }),
    );
    expect(joined).toMatchObject({ kind: "message", item: { text: "Welcome to Gold!", badges: ["member"] } });
    const milestone = toYouTubeEvent(
      message(
        "memberMilestoneChatEvent",
        { memberMilestoneChatDetails: { memberMonth: 6, userComment: "half a year" } },
        { isChatSponsor: true, isVerified: true },
      ),
    );
    expect(milestone).toMatchObject({
      kind: "message",
      item: { text: "half a year", badges: ["verified", "member/6"] },
    });
    const silent = toYouTubeEvent(
      message("memberMilestoneChatEvent", { memberMilestoneChatDetails: { memberMonth: 12 } }),
    );
    expect(silent).toMatchObject({ kind: "message", item: { text: "Member for 12 months", badges: ["member/12"] } });
  });

  it("maps a deletion to the deleted message's id", () => {
    expect(
      toYouTubeEvent(message("messageDeletedEvent", { messageDeletedDetails: { deletedMessageId: "LCC.gone" } })),
    ).toEqual({ kind: "deleted", externalId: "LCC.gone" });
  });

  it("maps bans: permanent without a duration, temporary with it (the API's uint64 string)", () => {
    const banned = { channelId: "UCbannedbannedbannedbann" };
    expect(
      toYouTubeEvent(
        message("userBannedEvent", { userBannedDetails: { bannedUserDetails: banned, banType: "permanent" } }),
      ),
    ).toEqual({ kind: "cleared", target: { login: banned.channelId } });
    expect(
      toYouTubeEvent(
        message("userBannedEvent", {
          userBannedDetails: { bannedUserDetails: banned, banType: "temporary", banDurationSeconds: "300" },
        }),
      ),
    ).toEqual({ kind: "cleared", target: { login: banned.channelId, durationSec: 300 } });
  });

  it("ignores unknown types, missing ids and empty texts", () => {
    expect(toYouTubeEvent(message("pollEvent", {}))).toBeNull();
    expect(toYouTubeEvent(message("tombstone", {}))).toBeNull();
    expect(toYouTubeEvent(message("textMessageEvent", { displayMessage: "" }))).toBeNull();
    expect(toYouTubeEvent(message("messageDeletedEvent", {}))).toBeNull();
    expect(toYouTubeEvent(message("userBannedEvent", { userBannedDetails: { banType: "permanent" } }))).toBeNull();
    const { id: _id, ...noId } = message("textMessageEvent", { displayMessage: "x" });
    expect(toYouTubeEvent(noId)).toBeNull();
    expect(toYouTubeEvent({})).toBeNull();
  });

  it("cuts a display name to the ingest limit", () => {
    const event = toYouTubeEvent(
      message("textMessageEvent", { displayMessage: "x" }, { displayName: "n".repeat(100) }),
    );
    expect(event?.kind === "message" && event.item.displayName?.length).toBe(64);
    const emoji = toYouTubeEvent(
      message("textMessageEvent", { displayMessage: "x" }, { displayName: "a😀".repeat(30) }),
    );
    // 64 units: 21 × "a😀" and an "a"; the emoji that would straddle the limit is left out whole.
    expect(emoji?.kind === "message" && emoji.item.displayName).toBe(`${"a😀".repeat(21)}a`);
  });
});
