/**
 * @chorus/client — the Chorus SDK for browsers and Node.
 *
 * ```ts
 * const chat = new ChorusClient({ baseUrl: "https://chat.example.com" });
 * await chat.guest({ username: "viewer_1" });
 * const stop = chat.subscribe("main", (update) => {
 *   if (update.kind === "event" && update.event.type === "message") render(update.event.data);
 *   if (update.kind === "reset") reload(update.messages);
 * });
 * await chat.send("main", "hello");
 * ```
 *
 * This entry imports no Node module. In Node 20, where `globalThis.WebSocket` may be missing,
 * import `@chorus/client/node` instead (it loads `ws` on demand) or pass `WebSocket`.
 */
import type { Message } from "@chorus/protocol";
import type { SubscriptionHandler } from "./channel-stream.js";
import {
  type ConnectionState,
  Realtime,
  type RealtimeEvents,
  type RealtimeOptions,
  type SendOptions,
  type SendResult,
  type SubscribeOptions,
} from "./realtime.js";
import { RestClient, type RestOptions } from "./rest.js";
import { websocketUrl } from "./socket.js";

export type ChorusClientOptions = RestOptions & RealtimeOptions;

export class ChorusClient extends RestClient {
  private readonly realtime: Realtime;

  constructor(options: ChorusClientOptions) {
    super(options);
    this.realtime = new Realtime(
      {
        url: websocketUrl(this.baseUrl),
        getToken: () => this.token,
        forgetToken: () => this.setToken(undefined),
        fetchHistory: (channel, query) => this.history({ channel, ...query }),
      },
      options,
    );
  }

  /** Connection state of the realtime socket. */
  get state(): ConnectionState {
    return this.realtime.state;
  }

  /**
   * Listens to client-wide events; returns the function that removes the listener.
   * - `state` (state): `connecting | open | reconnecting | closed`
   * - `resumed` ({missed, channels}): after a reconnect, every channel caught up; `missed`
   *   logged events were filled in (draw the "you were away" divider before `fromSeq`)
   * - `authenticated` (user), `revoked` (error), `error` (error)
   */
  on<K extends keyof RealtimeEvents>(event: K, listener: (...args: RealtimeEvents[K]) => void): () => void {
    return this.realtime.events.on(event, listener);
  }

  /** Opens the realtime connection; resolves once it is `open`. */
  connect(): Promise<void> {
    return this.realtime.connect();
  }

  subscribe(channel: string, handler: SubscriptionHandler, options?: SubscribeOptions): () => void {
    return this.realtime.subscribe(channel, handler, options);
  }

  send(channel: string, text: string, options?: SendOptions): Promise<Message> {
    return this.realtime.send(channel, text, options);
  }

  /** `send`, with a held message as `{held: true, id}` rather than a `MessageHeldError`. */
  submit(channel: string, text: string, options?: SendOptions): Promise<SendResult> {
    return this.realtime.submit(channel, text, options);
  }

  /**
   * Call when the network comes back or the page becomes visible again (`online`,
   * `visibilitychange`): a pending reconnect happens now, an open socket is checked at once.
   */
  wake(): void {
    this.realtime.wake();
  }

  /** Closes the socket and clears every timer; REST helpers keep working. */
  close(): void {
    this.realtime.close();
  }

  protected override tokenChanged(): void {
    // A socket authenticated as someone else must not keep speaking for the new identity.
    this.realtime.restart();
  }
}

export { Backoff, type BackoffOptions, backoffCeiling, DEFAULT_BACKOFF, fullJitter } from "./backoff.js";
export {
  type ChannelResume,
  ChannelStream,
  type ChannelStreamOptions,
  classifySeq,
  type HistoryPageQuery,
  messageEvent,
  type SeqVerdict,
  type SubscriptionHandler,
  type SubscriptionUpdate,
} from "./channel-stream.js";
export { ChorusError, type ChorusErrorInit, MessageHeldError } from "./errors.js";
export type {
  ConnectionState,
  RealtimeEvents,
  RealtimeOptions,
  ResumedInfo,
  SendOptions,
  SendResult,
  SubscribeOptions,
} from "./realtime.js";
export type {
  AssignableRole,
  AuthResult,
  BroadcastMessagesQuery,
  ChannelBan,
  ChannelPatch,
  ChannelSettingsPatch,
  ChannelUsers,
  Connector,
  ConnectorState,
  FetchLike,
  HistoryQuery,
  IngestItem,
  IngestKey,
  IngestPlatform,
  IngestResult,
  ModlogAction,
  ModlogQuery,
  PostMessageOptions,
  PostMessageResult,
  ResponseLike,
  RestOptions,
  SanctionOptions,
  UserStatusOptions,
} from "./rest.js";
export { INGEST_PLATFORMS, MODLOG_ACTIONS, RestClient } from "./rest.js";
export type { WebSocketConstructor, WebSocketLike } from "./socket.js";
