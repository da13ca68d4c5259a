/** The colour theme. Written by services/theme.ts. */
import { create } from "zustand";

export type Theme = "dark" | "light";

export const THEME_KEY = "chorus.theme";

function stored(): Theme {
  try {
    return window.localStorage.getItem(THEME_KEY) === "light" ? "light" : "dark";
  } catch {
    return "dark"; // storage disabled
  }
}

export const useTheme = create<{ theme: Theme }>(() => ({ theme: stored() }));
