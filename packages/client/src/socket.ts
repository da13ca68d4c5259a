/**
 * The WebSocket surface the SDK needs, so that the browser's WebSocket, Node's global one
 * (Node ≥ 22) and the `ws` package all fit without this module importing any of them.
 * Listeners are attached with `addEventListener`, which all three implement; events from a
 * socket the SDK has abandoned are ignored by the caller, so listeners are never removed.
 * (`ws` delivers text frames to these listeners as strings, like browsers do.)
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drops the TCP connection at once instead of waiting for a close handshake. */
  terminate?(): void;
  addEventListener(type: "open" | "error", listener: () => void): void;
  addEventListener(type: "message", listener: (event: MessageEventLike) => void): void;
  addEventListener(type: "close", listener: (event: CloseEventLike) => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface MessageEventLike {
  readonly data: unknown;
}

export interface CloseEventLike {
  readonly code: number;
  readonly reason: string;
}

export const WS_OPEN = 1;

/** `http://host/prefix` → `ws://host/prefix/api/ws` (and https → wss). */
export function websocketUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol === "https:") url.protocol = "wss:";
  else if (url.protocol === "http:") url.protocol = "ws:";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/api/ws`;
  url.search = "";
  url.hash = "";
  return url.toString();
}

/** The global WebSocket of browsers and Node ≥ 22, if there is one. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  const candidate: unknown = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof candidate === "function" ? (candidate as WebSocketConstructor) : undefined;
}

/** Text of a message event; binary frames are decoded as UTF-8 (the protocol only sends text). */
export function messageText(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(new Uint8Array(data));
  if (ArrayBuffer.isView(data))
    return new TextDecoder().decode(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return undefined;
}
