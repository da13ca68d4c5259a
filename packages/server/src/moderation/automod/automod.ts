/**
 * AutoMod, as on Twitch: one level 0–4 per category decides what happens to a message with a
 * lexicon term in it. At level L a term of severity s is filtered when s ≥ 5 − L (level 1
 * filters only the severe terms, level 4 all of them); a filtered message is held for review,
 * except that level 4 refuses the severe terms outright. Level 0 is off.
 *
 * The lexicon is compiled once, at module load: each message costs one pass of the matcher
 * whatever the levels, and nothing when every level is 0.
 */
import { AUTOMOD_CATEGORIES, type AutoModCategory, type ChannelSettings } from "@chorus/protocol";
import { PhraseMatcher } from "../blocked-terms.js";
import { LEXICON, type LexiconEntry, type Severity } from "./lexicon.js";

export type AutoModLevel = 0 | 1 | 2 | 3 | 4;
export type AutoModLevels = Record<AutoModCategory, AutoModLevel>;

export interface AutoModHit {
  category: AutoModCategory;
  severity: Severity;
  term: string;
}

export interface AutoModResult {
  action: "pass" | "hold" | "reject";
  /** The hits the levels filter (none when the message passes), strongest first. */
  hits: AutoModHit[];
}

const matcher = new PhraseMatcher<LexiconEntry>(LEXICON);
const PASSED: AutoModResult = Object.freeze({ action: "pass", hits: [] }) as AutoModResult;

export function isFiltered(severity: Severity, level: AutoModLevel): boolean {
  return level > 0 && severity >= 5 - level;
}

export function evaluate(text: string, levels: AutoModLevels): AutoModResult {
  if (isOff(levels)) return PASSED;
  const found = matcher.find(text);
  if (!found) return PASSED;
  let action: AutoModResult["action"] = "pass";
  const hits: AutoModHit[] = [];
  for (const { term, category, severity } of found.entries) {
    const level = levels[category];
    if (!isFiltered(severity, level)) continue;
    hits.push({ category, severity, term });
    if (severity === 4 && level === 4) action = "reject";
    else if (action === "pass") action = "hold";
  }
  if (hits.length === 0) return PASSED;
  hits.sort((a, b) => b.severity - a.severity);
  return { action, hits };
}

export function isOff(levels: AutoModLevels): boolean {
  return AUTOMOD_CATEGORIES.every((c) => levels[c] === 0);
}

/** The level of every category: `autoModLevel`, unless `autoModCategories` overrides it. */
export function levelsFor(settings: Pick<ChannelSettings, "autoModLevel" | "autoModCategories">): AutoModLevels {
  const base = toLevel(settings.autoModLevel);
  const overrides = settings.autoModCategories ?? {};
  const levels = {} as AutoModLevels;
  for (const category of AUTOMOD_CATEGORIES) {
    const override = overrides[category];
    levels[category] = override === undefined ? base : toLevel(override);
  }
  return levels;
}

/** Stored settings are validated on the way in; clamping keeps a bad row from widening the filter's range. */
function toLevel(n: number): AutoModLevel {
  return Math.min(4, Math.max(0, Math.trunc(n))) as AutoModLevel;
}
