/** The text of the polite live region that tells screen-reader users about new messages. */
import { create } from "zustand";

export const useAnnouncement = create<{ text: string }>(() => ({ text: "" }));
