/** Emote-only mode: every word must be an emote or an emoji; moderators and the owner are exempt (as on Twitch). */
import { isEmoteOnly } from "@chorus/protocol";
import { type Check, PASS, reject } from "../../chat/pipeline.js";
import { AppError } from "../../errors.js";
import { atLeast } from "./exempt.js";

export const emoteOnlyCheck: Check = {
  name: "emote_only",
  run({ channel, author, text }) {
    if (!channel.record.settings.emoteOnly || atLeast(author, "moderator") || isEmoteOnly(text)) return PASS;
    return reject(new AppError("mode_restricted", "this chat is in emote-only mode: emotes and emoji only"));
  },
};
