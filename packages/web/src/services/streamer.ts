/**
 * The streamer's tools over the SDK: broadcasts and transcripts, viewers, connectors, ingest
 * keys and the simulator's ingest. The simulator keeps the secret of the key it made for itself
 * in localStorage per channel (an ingest key can only post into that channel, never read or
 * moderate) and makes a new one when the server stops accepting it.
 */
import { ChorusError, type IngestItem, type IngestPlatform, type IngestResult } from "@chorus/client";
import type { Message } from "@chorus/protocol";
import { client } from "./client";

export const listBroadcasts = (channel: string) => client.listBroadcasts(channel);
export const channelUsers = (channel: string) => client.channelUsers(channel);
export const listConnectors = (channel: string) => client.listConnectors(channel);
export const putConnector = (channel: string, platform: string, source: string) =>
  client.putConnector(channel, platform, source);
export const deleteConnector = (channel: string, platform: string) => client.deleteConnector(channel, platform);
export const listIngestKeys = (channel: string) => client.listIngestKeys(channel);
export const createIngestKey = (channel: string, label: string) => client.createIngestKey(channel, label);
export const revokeIngestKey = (channel: string, id: string) => client.revokeIngestKey(channel, id);
export const exportUrl = (channel: string, id: string, format: "json" | "csv") =>
  client.broadcastExportUrl(channel, id, format);

const PAGE = 200;

/** The whole transcript, deleted messages as placeholders, paged by seq until a short page. */
export async function loadTranscript(channel: string, id: string, signal?: AbortSignal): Promise<Message[]> {
  const all: Message[] = [];
  let after = 0;
  for (;;) {
    if (signal?.aborted) throw new DOMException("aborted", "AbortError");
    const page = await client.broadcastMessages(channel, id, { after, limit: PAGE, deleted: true });
    all.push(...page);
    const last = page.at(-1);
    if (page.length < PAGE || last === undefined) return all;
    after = last.seq;
  }
}

const storageKey = (channel: string): string => `chorus.simulator.${channel}`;

function storedSecret(channel: string): string | null {
  try {
    return localStorage.getItem(storageKey(channel));
  } catch {
    return null;
  }
}

/** Keys being made: a burst's parallel requests share one new key instead of making one each. */
const making = new Map<string, Promise<string>>();
/** The secret of this page's visit, for when storage is unavailable (private mode). */
const remembered = new Map<string, string>();

function newSecret(channel: string, refused?: string): Promise<string> {
  const current = remembered.get(channel) ?? storedSecret(channel);
  // Another request already replaced the refused key.
  if (refused !== undefined && current !== null && current !== refused) return Promise.resolve(current);
  const pending = making.get(channel);
  if (pending) return pending;
  const made = client
    .createIngestKey(channel, "simulator")
    .then(({ secret }) => {
      remembered.set(channel, secret);
      try {
        localStorage.setItem(storageKey(channel), secret);
      } catch {
        // Private mode: the key works for this visit; the next one makes another.
      }
      return secret;
    })
    .finally(() => making.delete(channel));
  making.set(channel, made);
  return made;
}

/** Posts items as the simulator; a refused key (revoked, or from another database) is replaced once. */
export async function simulate(
  channel: string,
  platform: IngestPlatform,
  items: readonly IngestItem[],
): Promise<IngestResult[]> {
  const secret = storedSecret(channel) ?? remembered.get(channel) ?? (await newSecret(channel));
  try {
    return await client.ingest(channel, platform, secret, items);
  } catch (error) {
    if (!(error instanceof ChorusError) || error.status !== 401) throw error;
    return client.ingest(channel, platform, await newSecret(channel, secret), items);
  }
}
