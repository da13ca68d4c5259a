/**
 * Shield mode, Twitch's one switch for a raid: turning it on applies `SHIELD_PRESET` (guests
 * off, followers-only 10 min, slow 5 s, AutoMod 4) and remembers what those settings were;
 * turning it off puts them back. Changes made while it is on to other settings stay.
 */
import { type ChannelSettings, SHIELD_PRESET } from "@chorus/protocol";
import type { StoredSettings } from "../ports/store.js";

const SHIELDED = Object.keys(SHIELD_PRESET) as Array<keyof typeof SHIELD_PRESET>;

/** The settings to store, given the current ones and the patched ones. */
export function applyShield(current: StoredSettings, next: StoredSettings): StoredSettings {
  if (next.shieldMode && !current.shieldMode) {
    const restore: Partial<ChannelSettings> = {};
    for (const key of SHIELDED) Object.assign(restore, { [key]: current[key] });
    return { ...next, ...SHIELD_PRESET, shieldRestore: restore };
  }
  if (!next.shieldMode && current.shieldMode) {
    const { shieldRestore, ...rest } = next;
    return { ...rest, ...(current.shieldRestore ?? shieldRestore ?? {}) };
  }
  return next;
}

/** The settings as clients see them: without the shield's memory. */
export function publicSettings(settings: StoredSettings): ChannelSettings {
  const { shieldRestore: _hidden, ...visible } = settings;
  return visible;
}
