/**
 * Channel operations of docs/api.md. The SDK has helpers for reading and creating channels; the
 * owner's controls (title, going live, ending) use its generic `request`, so that every call
 * still goes through the SDK's one error boundary (`ChorusError`).
 */
import type { Broadcast, Channel } from "@chorus/protocol";
import { client } from "./client";

const path = (name: string, rest = ""): string => `/api/channels/${encodeURIComponent(name)}${rest}`;

export const listChannels = (): Promise<Channel[]> => client.listChannels();

export const getChannel = (name: string): Promise<Channel> => client.getChannel(name);

export const createChannel = (name: string, title: string): Promise<Channel> =>
  client.createChannel(title.trim() === "" ? { name } : { name, title: title.trim() });

export async function setTitle(name: string, title: string): Promise<Channel> {
  return (await client.request<{ channel: Channel }>("PATCH", path(name), { title })).channel;
}

/** Starts a broadcast, or updates the running one's title and video source. */
export async function goLive(name: string, input: { title: string; videoUrl: string }): Promise<Channel> {
  const title = input.title.trim();
  const videoUrl = input.videoUrl.trim();
  const body = { ...(title === "" ? {} : { title }), videoUrl: videoUrl === "" ? null : videoUrl };
  return (await client.request<{ broadcast: Broadcast; channel: Channel }>("POST", path(name, "/live"), body)).channel;
}

export async function endLive(name: string): Promise<Channel> {
  return (await client.request<{ broadcast: Broadcast; channel: Channel }>("DELETE", path(name, "/live"))).channel;
}
