/**
 * Changing the open channel's chat settings (`PATCH /api/channels/:name`). Only the fields a
 * control changes are sent, so two moderators changing different settings do not undo each
 * other; the blocked-terms list is edited against the latest list the page knows. The answer
 * is applied at once, and every page (this one included) follows the `channel_updated` event.
 */
import { type ChannelSettingsPatch, ChorusError } from "@chorus/client";
import type { BlockedTerm } from "@chorus/protocol";
import { describeSettingsError } from "../lib/settings";
import { feedActions, useFeed } from "../store/feed";
import { client } from "./client";

export type SaveResult = { ok: true } | { ok: false; error: string };

export async function saveSettings(patch: ChannelSettingsPatch): Promise<SaveResult> {
  const name = useFeed.getState().channel?.name;
  if (name === undefined) return { ok: false, error: "The channel has not loaded yet." };
  try {
    feedActions.setChannel(await client.updateChannel(name, { settings: patch }));
    return { ok: true };
  } catch (error) {
    if (error instanceof ChorusError) return { ok: false, error: describeSettingsError(error) };
    return { ok: false, error: "That did not work. Try again." };
  }
}

/** Saves the blocked terms as `edit` makes them from the latest known list. */
export function saveBlockedTerms(edit: (current: readonly BlockedTerm[]) => BlockedTerm[]): Promise<SaveResult> {
  const current = useFeed.getState().channel?.settings.blockedTerms ?? [];
  return saveSettings({ blockedTerms: edit(current) });
}
