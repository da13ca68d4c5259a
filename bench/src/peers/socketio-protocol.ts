/**
 * The events of the socket.io peer: the usual socket.io chat shape (join a room, emit a chat
 * message with an ack, receive `message` broadcasts). The message mirrors Chorus's `message`
 * resource, including a per-room `seq`, so both targets put comparable bytes on the wire and
 * the harness can check ordering the same way.
 */

export interface PeerAuthor {
  id: string;
  username: string;
  displayName: string;
  color: string;
  role: string;
  badges: string[];
  platform: string;
}

export interface PeerMessage {
  id: string;
  channel: string;
  seq: number;
  text: string;
  createdAt: number;
  author: PeerAuthor;
}

export type PeerChatAck = { ok: true; message: PeerMessage } | { ok: false; code: string };

export interface PeerClientToServer {
  join(room: string, ack: (reply: { seq: number }) => void): void;
  chat(payload: { room: string; text: string; nonce: string }, ack: (reply: PeerChatAck) => void): void;
}

export interface PeerServerToClient {
  message(message: PeerMessage): void;
}

/** Handshake `auth` payload: who is talking (the peer trusts it; it is a benchmark). */
export interface PeerAuth {
  username: string;
}
