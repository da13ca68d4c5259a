/** The channel directory shown on the landing page. Written by services/directory.ts. */
import type { Channel } from "@chorus/protocol";
import { create } from "zustand";

export interface DirectoryState {
  channels: Channel[] | null;
  error: string | null;
}

export const useDirectory = create<DirectoryState>(() => ({ channels: null, error: null }));
