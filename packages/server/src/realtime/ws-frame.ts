/**
 * Unmasked server-to-client WebSocket text frames (RFC 6455 §5.2), built with `ws`'s own
 * framing code so the bytes are exactly what `ws.send` would write. A fan-out batch is framed
 * once and the same bytes are written to every subscriber's socket: per connection that saves
 * the header allocation, the cork/writev of header + payload and ws's send bookkeeping.
 */
import * as wsModule from "ws";

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}

type FrameFn = (data: Buffer, options: FrameOptions) => Buffer[];

// `Sender` is exported by ws's ESM wrapper but not declared by @types/ws.
const sender = (wsModule as unknown as { Sender?: { frame?: FrameFn } }).Sender;
const frame = sender?.frame;
if (typeof frame !== "function") throw new Error("ws.Sender.frame is missing: unsupported ws version");
const frameFn: FrameFn = frame;

const TEXT_OPCODE = 0x1;

export function encodeTextFrame(payload: Buffer): Buffer {
  const parts = frameFn(payload, { fin: true, opcode: TEXT_OPCODE, mask: false, readOnly: true, rsv1: false });
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}
