/**
 * Pure arithmetic of a load plan: channel names, which channel and transport each subscriber
 * gets, which channel and publisher each message goes to, and the reconnect backoff. Kept
 * free of I/O so every rule here is unit-tested (bench/test/loadgen.test.ts).
 */
import { fullJitter } from "@chorus/client";

export type Transport = "ws" | "sse";
export type TransportMix = Transport | "mixed";

/** docs/api.md "Names": channel names match this (lower case). */
export const CHANNEL_NAME = /^[a-z0-9_]{3,25}$/;

/** `count` channel names `<prefix>_0 … <prefix>_<count-1>`; throws when one would be invalid. */
export function channelNames(prefix: string, count: number): string[] {
  const names = Array.from({ length: count }, (_, i) => `${prefix}_${i}`);
  const last = names[names.length - 1];
  if (last === undefined || !CHANNEL_NAME.test(last) || !CHANNEL_NAME.test(names[0] ?? "")) {
    throw new Error(`channel names "${prefix}_0" … "${last}" must match ${CHANNEL_NAME.source}`);
  }
  return names;
}

/**
 * Subscriber `index` (0-based over the whole run, all workers) listens to channel
 * `index mod K`: consecutive subscribers go to consecutive channels, so any prefix of the
 * ramp, and any worker's contiguous slice, is spread as evenly as the totals allow.
 */
export function channelOf(index: number, channelCount: number): number {
  return index % channelCount;
}

/** How many subscribers each channel gets (for reporting and expected deliveries). */
export function subscribersPerChannel(subscribers: number, channelCount: number): number[] {
  const base = Math.floor(subscribers / channelCount);
  return Array.from({ length: channelCount }, (_, c) => base + (c < subscribers % channelCount ? 1 : 0));
}

/**
 * The transport of subscriber `index`: `mixed` alternates, so each channel (index mod K)
 * gets both kinds whenever K is odd, and half of the total either way.
 */
export function transportOf(index: number, mix: TransportMix): Transport {
  if (mix !== "mixed") return mix;
  return index % 2 === 0 ? "ws" : "sse";
}

/** Subscriber `index` is one of the slow ones: spread evenly (every 1/fraction-th), not the first ones. */
export function isSlow(index: number, fraction: number): boolean {
  if (fraction <= 0) return false;
  if (fraction >= 1) return true;
  return Math.floor((index + 1) * fraction) > Math.floor(index * fraction);
}

/** Round robin over the nodes of a cluster. */
export function nodeOf(index: number, nodeCount: number): number {
  return index % nodeCount;
}

export interface Route {
  channel: number;
  publisher: number;
}

/**
 * Message `i` of the run goes to channel `i mod K`. With at least as many channels as
 * publishers, each channel is owned by one publisher (`channel mod P`), so a channel's
 * messages leave in order on one connection; with fewer channels than publishers the
 * publishers take turns (`i mod P`) and a channel's messages may interleave.
 */
export function route(i: number, channelCount: number, publisherCount: number): Route {
  const channel = i % channelCount;
  const publisher = channelCount >= publisherCount ? channel % publisherCount : i % publisherCount;
  return { channel, publisher };
}

/** `total` split into `parts` near-equal integers. */
export function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

export interface BackoffPlan {
  baseMs: number;
  capMs: number;
}

/** The delay before reconnect attempt `attempt` (0-based): full jitter, as the SDK does. */
export function reconnectDelay(attempt: number, plan: BackoffPlan, random: () => number = Math.random): number {
  return fullJitter(attempt, plan.baseMs, plan.capMs, random);
}
