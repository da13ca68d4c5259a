/**
 * A benchmark target: a server started in its own process plus the client code that speaks
 * its protocol. The parent process starts the server and runs the publisher; subscriber
 * workers only get the plain-data `ClientSpec` and connect with `connectSubscriber`.
 */

export const TARGET_NAMES = ["chorus", "socketio", "ws-naive", "ws-ceiling", "chorus-cluster"] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** How subscribers reach a running target. Crosses the IPC boundary, so plain data only. */
export type ClientSpec =
  /** `urls`: several nodes of one cluster; subscriber i of a worker connects to `urls[i % n]`. */
  { kind: "chorus"; url: string; channel: string; urls?: string[] } | { kind: "socketio"; url: string; room: string };

/** Callbacks a subscriber connection reports into (the worker's tracker and histogram). */
export interface SubscriberEvents {
  /** Subscription confirmed; `seq` is the target's latest seq then, if it numbers events. */
  subscribed(seq: number | undefined): void;
  /** A logged event (a message or anything else) carrying `seq`. */
  logged(seq: number): void;
  /** A chat message; `receivedAtMs` was read before the frame was parsed. */
  message(text: string, receivedAtMs: number): void;
  /** Anything unexpected: an error or reconnect frame, an unknown frame, a close. */
  problem(kind: string): void;
}

export interface Subscriber {
  close(): void;
}

export type PublishOutcome = { ok: true; seq: number | undefined } | { ok: false; code: string };

/** A publisher bound to the target's default channel (`client.channel` / `client.room`). */
export interface Publisher {
  /** Sends without waiting; `done` is called once with the target's ack or rejection. */
  send(text: string, nonce: string, done: (outcome: PublishOutcome) => void): void;
  close(): void;
}

/** A publisher that can send to any channel (what the load generator drives). */
export interface ChannelPublisher {
  /** Sends without waiting; `done` is called once with the target's ack or rejection. */
  send(channel: string, text: string, nonce: string, done: (outcome: PublishOutcome) => void): void;
  close(): void;
}

export interface RunningTarget {
  readonly name: TargetName;
  /** The server process, for CPU accounting. */
  readonly pid: number;
  /** Every server process when the target is a cluster (CPU is summed over them). */
  readonly pids?: readonly number[];
  readonly client: ClientSpec;
  connectPublisher(): Promise<Publisher>;
  /**
   * Chorus targets: the HTTP base of every node (REST publishing, channel creation,
   * `/metrics`, `/healthz`) and a session token exempt from chat rate limits. Without them
   * the load generator publishes through `connectChannelPublisher` or, failing that,
   * `connectPublisher` (one channel only) and reads CPU and memory from /proc of `pids`.
   */
  readonly httpUrls?: readonly string[];
  readonly token?: string;
  /** A publisher for any channel, for targets that are not Chorus but have several rooms. */
  connectChannelPublisher?(): Promise<ChannelPublisher>;
  /** The last lines the server printed, for diagnosis. */
  logTail(): string[];
  /** Stops the server and removes what it left behind. Never throws. */
  stop(): Promise<void>;
}

export interface TargetDefinition {
  readonly name: TargetName;
  /** Human label for the report. */
  readonly label: string;
  /**
   * Starts the server and resolves once it is ready for clients. When `signal` aborts (the
   * run hit its time limit) it stops what it started and rejects.
   */
  start(signal: AbortSignal, options?: StartOptions): Promise<RunningTarget>;
}

/** Extra settings for one start of a target; a target ignores what it has no use for. */
export interface StartOptions {
  /** Server environment overrides (Chorus: e.g. CONNECTION_QUEUE_MAX_BYTES). */
  env?: Record<string, string>;
}

/**
 * The load comes from one machine, standing in for thousands of clients: the servers' per-IP
 * limits (connections, connects per second, guests) are raised so they measure fan-out, not
 * the abuse controls.
 */
export const ONE_ADDRESS_LOAD_ENV = {
  CONNECTIONS_PER_IP: "10000000",
  CONNECTS_PER_IP_PER_SEC: "10000000",
  GUESTS_PER_IP_PER_HOUR: "1000000",
  GUEST_MESSAGES_PER_IP_PER_WINDOW: "1000000",
} as const;
