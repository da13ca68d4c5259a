/** Normalises the text (NFC, trimmed, bounded, no control characters) or rejects it. */
import { normalizeMessageText } from "@chorus/protocol";
import { invalid } from "../../errors.js";
import { type Check, reject } from "../pipeline.js";

export const textCheck: Check = {
  name: "text",
  run(draft) {
    const normalized = normalizeMessageText(draft.rawText);
    return normalized.ok ? { kind: "rewrite", text: normalized.text } : reject(invalid(normalized.reason));
  },
};
