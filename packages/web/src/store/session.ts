/** Who is signed in and how the realtime connection is doing. Written by services/session.ts. */
import type { ConnectionState } from "@chorus/client";
import type { User } from "@chorus/protocol";
import { create } from "zustand";

export interface SessionState {
  user: User | null;
  /** The first `GET /api/me` answered (until then the UI does not offer to sign in). */
  checked: boolean;
  connection: ConnectionState;
  /** `navigator.onLine`: lets the indicator say why it is reconnecting. */
  online: boolean;
}

export const useSession = create<SessionState>(() => ({
  user: null,
  checked: false,
  connection: "closed",
  online: typeof navigator === "undefined" ? true : navigator.onLine,
}));
