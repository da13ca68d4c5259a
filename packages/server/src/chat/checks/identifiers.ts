/**
 * The nonce and the reply parent's id must be text the store can hold and the log can key
 * by: bounded, well-formed UTF-16, no NUL. Checked before the message joins a group commit,
 * so a hostile value is the sender's 400 and never a failed batch for everyone else.
 */
import { isSafeString, LIMITS } from "@chorus/protocol";
import { invalid } from "../../errors.js";
import { type Check, PASS, reject } from "../pipeline.js";

/** Message ids are UUIDs; anything longer cannot name one. */
const MESSAGE_ID_MAX_CHARS = 64;

export const identifiersCheck: Check = {
  name: "identifiers",
  run({ nonce, replyTo }) {
    if (nonce !== undefined && (nonce.length === 0 || nonce.length > LIMITS.nonceMaxChars || !isSafeString(nonce))) {
      return reject(invalid(`nonce must be 1–${LIMITS.nonceMaxChars} characters of text`));
    }
    if (
      replyTo !== undefined &&
      (replyTo.length === 0 || replyTo.length > MESSAGE_ID_MAX_CHARS || !isSafeString(replyTo))
    ) {
      return reject(invalid("replyTo does not name a message in this channel"));
    }
    return PASS;
  },
};
