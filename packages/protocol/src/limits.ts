/**
 * Limits shared by server, SDK and UI. The server treats every one of these as the
 * default of a configurable option (see the README configuration table); clients use
 * them to validate before sending.
 */
export const LIMITS = {
  /** Message text, in Unicode code points after normalisation. */
  messageMaxChars: 500,
  /** Combining marks kept after one base character (anti-zalgo). */
  maxCombiningMarks: 3,
  usernamePattern: "^[a-z0-9_]{3,25}$",
  channelNamePattern: "^[a-z0-9_]{3,25}$",
  passwordMinChars: 8,
  passwordMaxChars: 128,
  titleMaxChars: 140,
  displayNameMaxChars: 25,
  nonceMaxChars: 64,
  /** History page size. */
  historyDefault: 50,
  historyMax: 200,
  /** WebSocket payload limit for one client frame. */
  wsMaxPayloadBytes: 16 * 1024,
  /** HTTP request body limit. */
  httpBodyMaxBytes: 8 * 1024,
  /** Channels one connection may subscribe to at once. */
  channelsPerConnection: 50,
  /** Client frames per connection per minute. */
  framesPerMinute: 600,
  /** Bytes queued to one connection before it is closed as a slow consumer. */
  connectionQueueMaxBytes: 1024 * 1024,
  /** Events replayed on resume; beyond it, `recovered:false` and the client reloads. */
  maxReplayEvents: 2000,
  /** `user_joined` / `user_left` are sent only while a channel has at most this many viewers. */
  joinLeaveMaxViewers: 1000,
  blockedTermsMax: 500,
  /** A channel's own emotes the sentiment analyser is told about (`sentimentEmotes`). */
  sentimentEmotesMax: 100,
  emoteNameMax: 40,
  /** Summaries one `GET /summaries` returns at most. */
  summariesMax: 100,
} as const;

export const USERNAME_RE = new RegExp(LIMITS.usernamePattern);
export const CHANNEL_NAME_RE = new RegExp(LIMITS.channelNamePattern);
