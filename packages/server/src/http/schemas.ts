/** Request schemas shared by several routes. Domain rules (name patterns, text hygiene) live in the services. */
import { LIMITS } from "@chorus/protocol";
import { Type } from "@sinclair/typebox";

export const ChannelParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

export const HistoryQuery = Type.Object({
  before: Type.Optional(Type.Integer({ minimum: 1 })),
  after: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.historyMax })),
});

export const PostMessageBody = Type.Object({
  text: Type.String({ maxLength: LIMITS.messageMaxChars * 8 }),
  nonce: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.nonceMaxChars })),
  replyTo: Type.Optional(Type.String({ maxLength: 64 })),
});

export const Credentials = Type.Object({
  username: Type.String({ maxLength: 64 }),
  password: Type.String({ maxLength: 1024 }),
});

export const GuestBody = Type.Object({ username: Type.String({ maxLength: 64 }) });

export const LiveBody = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 1000 })),
  videoUrl: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
});

export const channelName = (raw: string): string => raw.toLowerCase();
