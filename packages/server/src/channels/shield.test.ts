import { DEFAULT_CHANNEL_SETTINGS } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import { applyShield, publicSettings } from "./shield.js";

describe("shield mode", () => {
  it("applies the preset when turned on and restores the previous settings when turned off", () => {
    const before = { ...DEFAULT_CHANNEL_SETTINGS, slowModeSec: 2, emoteOnly: true };
    const on = applyShield(before, { ...before, shieldMode: true });
    expect(on).toMatchObject({
      shieldMode: true,
      guestsAllowed: false,
      followersOnlyMin: 10,
      slowModeSec: 5,
      autoModLevel: 4,
      emoteOnly: true,
    });
    expect(publicSettings(on)).not.toHaveProperty("shieldRestore");
    // A change to another setting while shielded stays; the shielded ones come back.
    const tweaked = applyShield(on, { ...on, uniqueChat: true });
    const off = applyShield(tweaked, { ...tweaked, shieldMode: false });
    expect(off).toEqual({ ...before, uniqueChat: true, shieldMode: false });
  });

  it("changes nothing when the switch does not move", () => {
    const s = { ...DEFAULT_CHANNEL_SETTINGS, slowModeSec: 30 };
    expect(applyShield(s, { ...s, slowModeSec: 60 })).toEqual({ ...s, slowModeSec: 60 });
  });
});
