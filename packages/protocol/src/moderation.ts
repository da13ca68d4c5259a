/** The moderation resources as the API returns them (docs/api.md "Moderation"). */
import { type Static, Type } from "@sinclair/typebox";
import { Message } from "./models.js";

/** A standing ban (`until` null: until lifted) or timeout in a channel. */
export const Sanction = Type.Object({
  username: Type.String(),
  kind: Type.Union([Type.Literal("ban"), Type.Literal("timeout")]),
  until: Type.Union([Type.Integer(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  /** Who imposed it (username). */
  by: Type.String(),
  at: Type.Integer(),
});
export type Sanction = Static<typeof Sanction>;

/** One line of a channel's modlog. */
export const ModlogEntry = Type.Object({
  id: Type.String(),
  at: Type.Integer(),
  actor: Type.String(),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export type ModlogEntry = Static<typeof ModlogEntry>;

/** A message waiting in the review queue. */
export const HeldMessage = Type.Object({
  id: Type.String(),
  message: Message,
  reasons: Type.Array(Type.String()),
  at: Type.Integer(),
});
export type HeldMessage = Static<typeof HeldMessage>;
