/**
 * The stream-chat emotes Chorus knows by name (the global emotes viewers type on Twitch and
 * its extensions), for emote-only mode and, later, rendering and sentiment. A message is
 * emote-only when every word is one of these or an emoji. Channel emotes will join this list
 * per channel.
 */
export const STREAM_EMOTES: ReadonlySet<string> = new Set([
  "4Head",
  "BabyRage",
  "BibleThump",
  "BloodTrail",
  "CoolCat",
  "CoolStoryBob",
  "copium",
  "Clap",
  "DansGame",
  "EZ",
  "FailFish",
  "FeelsBadMan",
  "FeelsGoodMan",
  "FeelsStrongMan",
  "GivePLZ",
  "HeyGuys",
  "Jebaited",
  "Kappa",
  "KappaPride",
  "KEKW",
  "Kreygasm",
  "LUL",
  "LULW",
  "monkaS",
  "monkaW",
  "NotLikeThis",
  "OMEGALUL",
  "OpieOP",
  "PauseChamp",
  "PepeHands",
  "PepeLaugh",
  "peepoHappy",
  "peepoSad",
  "Pog",
  "PogChamp",
  "PogU",
  "POGGERS",
  "ResidentSleeper",
  "SeemsGood",
  "SMOrc",
  "SwiftRage",
  "TakeNRG",
  "TriHard",
  "VoHiYo",
  "WutFace",
  "widepeepoHappy",
  "5Head",
  "Sadge",
  "monkaHmm",
]);

// One character class, not alternatives: ZWJ and U+FE0F are themselves Emoji_Component, and
// with alternatives that overlap, a long ZWJ chain ending in a letter ("👩‍👩‍…‍👩x", which
// normalisation keeps) backtracks exponentially — one message would stall the server.
const EMOJI_ONLY = /^[\p{Extended_Pictographic}\p{Emoji_Component}]+$/u;

/** True when the text has at least one word and every word is a known emote or emoji. */
export function isEmoteOnly(text: string, channelEmotes: ReadonlySet<string> = new Set()): boolean {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  return (
    words.length > 0 &&
    words.every((w) => STREAM_EMOTES.has(w) || channelEmotes.has(w) || (EMOJI_ONLY.test(w) && !/^[0-9#*]+$/.test(w)))
  );
}
