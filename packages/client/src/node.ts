/**
 * Node entry: everything from the main entry, with a `ChorusClient` that falls back to the
 * `ws` package when `globalThis.WebSocket` is missing (Node 20 without the flag). `ws` is
 * imported lazily, on the first connection, and only then.
 */
import { ChorusClient as BaseClient, type ChorusClientOptions } from "./index.js";
import type { WebSocketConstructor } from "./socket.js";

export * from "./index.js";

export async function loadWs(): Promise<WebSocketConstructor> {
  const { WebSocket } = await import("ws");
  return WebSocket;
}

export class ChorusClient extends BaseClient {
  constructor(options: ChorusClientOptions) {
    super({ loadWebSocket: loadWs, ...options });
  }
}
