/** Builds drafts for the checks' unit tests: a channel with its owner, and a local author. */

import { randomUUID } from "node:crypto";
import type { ChannelSettings } from "@chorus/protocol";
import { DEFAULT_CHANNEL_SETTINGS, type Role } from "@chorus/protocol";
import type { SanctionRecord, UserRecord, UserStatusRecord } from "../../ports/store.js";
import type { Draft } from "../draft.js";

export function testUser(overrides: Partial<UserRecord> = {}): UserRecord {
  const username = `u_${randomUUID().slice(0, 8)}`;
  return {
    id: randomUUID(),
    username,
    displayName: username,
    color: "#FF0000",
    passwordHash: "x",
    isAdmin: false,
    isGuest: false,
    createdAt: 0,
    ...overrides,
  };
}

export function testDraft(
  options: {
    user?: UserRecord;
    roles?: Array<[string, Role]>;
    settings?: Partial<ChannelSettings>;
    text?: unknown;
    nonce?: string;
    replyTo?: string;
    exempt?: boolean;
    sanctions?: Array<[string, SanctionRecord]>;
    statuses?: Array<[string, UserStatusRecord]>;
    receivedAt?: number;
  } = {},
): Draft {
  const user = options.user ?? testUser();
  const roles = new Map(options.roles ?? []);
  const channel = {
    record: {
      name: "c1",
      title: "Test",
      ownerId: "owner",
      settings: { ...DEFAULT_CHANNEL_SETTINGS, ...options.settings },
      videoUrl: null,
      liveBroadcastId: null,
      createdAt: 0,
    },
    roles,
    broadcast: null,
    sanctions: new Map(options.sanctions ?? []),
    statuses: new Map(options.statuses ?? []),
  };
  const rawText = "text" in options ? options.text : "hello";
  return {
    channel,
    author: {
      kind: "local",
      user,
      role: roles.get(user.id) ?? "viewer",
      exempt: options.exempt ?? false,
      address: null,
    },
    rawText,
    text: typeof rawText === "string" ? rawText : "",
    nonce: options.nonce,
    replyTo: options.replyTo,
    dedupKey: options.nonce === undefined ? undefined : `c1:${user.id}:${options.nonce}`,
    receivedAt: options.receivedAt ?? 0,
  };
}
