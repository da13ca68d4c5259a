/**
 * A local stand-in of Twitch's IRC-over-WebSocket server (wss://irc-ws.chat.twitch.tv), for
 * tests: it speaks the protocol as Twitch's "IRC concepts", "IRC commands" and "IRC tags"
 * docs describe it, with Twitch's own line formats — CAP ACK/NAK, the 001…376 welcome,
 * anonymous `justinfan` logins, JOIN echo + 353/366 + USERSTATE/ROOMSTATE, PING/PONG,
 * RECONNECT — and lets a test push raw lines, drop connections and read what clients sent.
 */
import type { AddressInfo } from "node:net";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { formatIrcLine, parseIrcLine, splitIrcLines } from "./irc.js";

const SERVER = "tmi.twitch.tv";
const KNOWN_CAPS = new Set(["twitch.tv/tags", "twitch.tv/commands", "twitch.tv/membership"]);
const CHANNEL = /^#[a-z0-9_]{1,25}$/;

export interface StandinConnection {
  /** 1 for the first connection accepted, then 2, … */
  readonly id: number;
  /** Every line the client sent, in order, as sent. */
  readonly lines: string[];
  readonly caps: Set<string>;
  readonly channels: Set<string>;
  pass: string | null;
  nick: string | null;
  /** The welcome was sent: the client may join. */
  registered: boolean;
  open: boolean;
}

export interface StandinOptions {
  /** Listen on this port of 127.0.0.1 (0, the default, picks a free one). */
  port?: number;
  /** Answer the clients' PINGs (default true); off, the server plays a dead connection. */
  answerPings?: boolean;
}

/** Twitch's room id is a number per channel; the stand-in derives a stable one from the name. */
export function standinRoomId(channel: string): string {
  let hash = 7;
  for (const char of channel) hash = (hash * 31 + char.charCodeAt(0)) % 900_000_000;
  return String(100_000_000 + hash);
}

/**
 * A PRIVMSG line as Twitch sends it to a client with the tags capability (the tag set of the
 * docs' PRIVMSG example); `tags` adds to or overrides the defaults.
 */
export function privmsgLine(options: {
  channel: string;
  login: string;
  text: string;
  id: string;
  tags?: Record<string, string>;
}): string {
  const login = options.login.toLowerCase();
  const tags = new Map<string, string>([
    ["badge-info", ""],
    ["badges", ""],
    ["color", ""],
    ["display-name", options.login],
    ["emotes", ""],
    ["first-msg", "0"],
    ["flags", ""],
    ["id", options.id],
    ["mod", "0"],
    ["returning-chatter", "0"],
    ["room-id", standinRoomId(options.channel)],
    ["subscriber", "0"],
    ["tmi-sent-ts", String(Date.now())],
    ["turbo", "0"],
    ["user-id", standinRoomId(login)],
    ["user-type", ""],
  ]);
  for (const [key, value] of Object.entries(options.tags ?? {})) tags.set(key, value);
  return formatIrcLine({
    tags,
    prefix: `${login}!${login}@${login}.${SERVER}`,
    command: "PRIVMSG",
    params: [`#${options.channel}`, options.text],
    trailing: true,
  });
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

export class TwitchIrcStandin {
  /** Every connection accepted so far, open or not, in order. */
  readonly connections: StandinConnection[] = [];
  answerPings: boolean;
  private readonly sockets = new Map<StandinConnection, WebSocket>();

  private constructor(
    private readonly server: WebSocketServer,
    options: StandinOptions,
  ) {
    this.answerPings = options.answerPings ?? true;
    server.on("connection", (socket) => this.accept(socket));
  }

  static async start(options: StandinOptions = {}): Promise<TwitchIrcStandin> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: options.port ?? 0 });
    await new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", reject);
    });
    return new TwitchIrcStandin(server, options);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The connections still open. */
  get open(): StandinConnection[] {
    return this.connections.filter((connection) => connection.open);
  }

  /** Every line received from any client, in order of arrival per connection. */
  received(): string[] {
    return this.connections.flatMap((connection) => connection.lines);
  }

  /**
   * Sends raw lines, as one WebSocket frame (as Twitch batches them), to every open connection
   * that finished logging in. Returns how many connections got it.
   */
  send(lines: string | readonly string[]): number {
    let sent = 0;
    for (const connection of this.open) {
      if (!connection.registered) continue;
      this.write(connection, typeof lines === "string" ? [lines] : lines);
      sent++;
    }
    return sent;
  }

  /** The server's keepalive: `PING :tmi.twitch.tv` to every open connection. */
  ping(): number {
    return this.send(`PING :${SERVER}`);
  }

  /** Twitch's "please reconnect" before a restart; with `closeAfterMs`, closes them afterwards. */
  reconnect(closeAfterMs?: number): void {
    const targets = this.open;
    this.send(`:${SERVER} RECONNECT`);
    if (closeAfterMs === undefined) return;
    setTimeout(() => {
      for (const connection of targets) this.sockets.get(connection)?.close(1001, "restart");
    }, closeAfterMs).unref();
  }

  /** Drops every connection without a close handshake, as a network failure would. */
  dropAll(): void {
    for (const connection of this.open) this.sockets.get(connection)?.terminate();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const connection: StandinConnection = {
      id: this.connections.length + 1,
      lines: [],
      caps: new Set(),
      channels: new Set(),
      pass: null,
      nick: null,
      registered: false,
      open: true,
    };
    this.connections.push(connection);
    this.sockets.set(connection, socket);
    socket.on("message", (data) => {
      for (const line of splitIrcLines(rawText(data))) {
        connection.lines.push(line);
        this.handle(connection, line);
      }
    });
    socket.on("close", () => {
      connection.open = false;
      this.sockets.delete(connection);
    });
    socket.on("error", () => {
      // A client vanishing is what the tests provoke; "close" follows.
    });
  }

  private write(connection: StandinConnection, lines: readonly string[]): void {
    const socket = this.sockets.get(connection);
    if (socket === undefined || socket.readyState !== socket.OPEN) return;
    socket.send(`${lines.join("\r\n")}\r\n`);
  }

  private handle(connection: StandinConnection, line: string): void {
    const message = parseIrcLine(line);
    if (message === null) return;
    const nick = connection.nick ?? "*";
    switch (message.command) {
      case "CAP":
        this.cap(connection, message.params);
        return;
      case "PASS":
        connection.pass = message.params[0] ?? null;
        return;
      case "NICK":
        this.login(connection, (message.params[0] ?? "").toLowerCase());
        return;
      case "PING":
        if (this.answerPings) {
          this.write(connection, [
            formatIrcLine({
              prefix: SERVER,
              command: "PONG",
              params: [SERVER, message.params.at(-1) ?? ""],
              trailing: true,
            }),
          ]);
        }
        return;
      case "PONG":
        return;
      case "JOIN":
        if (!connection.registered) return;
        for (const channel of (message.params[0] ?? "").split(",")) this.join(connection, channel.toLowerCase());
        return;
      case "PART":
        if (!connection.registered) return;
        for (const channel of (message.params[0] ?? "").split(",")) {
          if (!connection.channels.delete(channel.toLowerCase())) continue;
          this.write(connection, [`:${nick}!${nick}@${nick}.${SERVER} PART ${channel.toLowerCase()}`]);
        }
        return;
      case "PRIVMSG":
        // Anonymous (justinfan) users cannot chat; Twitch drops their messages silently.
        return;
      default:
        if (connection.registered)
          this.write(connection, [`:${SERVER} 421 ${nick} ${message.command} :Unknown command`]);
    }
  }

  private cap(connection: StandinConnection, params: string[]): void {
    const sub = (params[0] === "*" ? params[1] : params[0])?.toUpperCase();
    if (sub === "LS") {
      this.write(connection, [`:${SERVER} CAP * LS :${[...KNOWN_CAPS].join(" ")}`]);
    } else if (sub === "REQ") {
      const wanted = (params.at(-1) ?? "").split(" ").filter((cap) => cap !== "");
      // IRCv3: a request is granted or refused as a whole.
      const known = wanted.every((cap) => KNOWN_CAPS.has(cap));
      if (known) for (const cap of wanted) connection.caps.add(cap);
      this.write(connection, [`:${SERVER} CAP * ${known ? "ACK" : "NAK"} :${wanted.join(" ")}`]);
    }
  }

  private login(connection: StandinConnection, nick: string): void {
    connection.nick = nick;
    if (!/^justinfan\d+$/.test(nick)) {
      // The stand-in knows no accounts: a token login fails as an unknown token does on Twitch.
      const reason = connection.pass?.startsWith("oauth:")
        ? "Login authentication failed"
        : "Improperly formatted auth";
      this.write(connection, [`:${SERVER} NOTICE * :${reason}`]);
      this.sockets.get(connection)?.close();
      return;
    }
    connection.registered = true;
    this.write(connection, [
      `:${SERVER} 001 ${nick} :Welcome, GLHF!`,
      `:${SERVER} 002 ${nick} :Your host is ${SERVER}`,
      `:${SERVER} 003 ${nick} :This server is rather new`,
      `:${SERVER} 004 ${nick} :-`,
      `:${SERVER} 375 ${nick} :-`,
      `:${SERVER} 372 ${nick} :You are in a maze of twisty passages, all alike.`,
      `:${SERVER} 376 ${nick} :>`,
    ]);
  }

  private join(connection: StandinConnection, channel: string): void {
    if (!CHANNEL.test(channel)) return;
    const nick = connection.nick ?? "";
    connection.channels.add(channel);
    const tags = connection.caps.has("twitch.tv/tags");
    const lines = [
      `:${nick}!${nick}@${nick}.${SERVER} JOIN ${channel}`,
      `:${nick}.${SERVER} 353 ${nick} = ${channel} :${nick}`,
      `:${nick}.${SERVER} 366 ${nick} ${channel} :End of /NAMES list`,
    ];
    if (connection.caps.has("twitch.tv/commands")) {
      const userstate = "@badge-info=;badges=;color=;display-name=;emote-sets=0;mod=0;subscriber=0;user-type=";
      const roomstate = `@emote-only=0;followers-only=-1;r9k=0;room-id=${standinRoomId(channel.slice(1))};slow=0;subs-only=0`;
      lines.push(`${tags ? `${userstate} ` : ""}:${SERVER} USERSTATE ${channel}`);
      lines.push(`${tags ? `${roomstate} ` : ""}:${SERVER} ROOMSTATE ${channel}`);
    }
    this.write(connection, lines);
  }
}
