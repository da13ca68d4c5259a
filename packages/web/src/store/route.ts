/** The current route, parsed from `location.pathname`. Written by services/router.ts. */
import { create } from "zustand";

export type Route =
  | { page: "home" }
  | { page: "channel"; name: string }
  | { page: "dashboard"; name: string }
  | { page: "broadcast"; name: string; id: string }
  | { page: "missing" };

const CHANNEL_PATH = /^\/c\/([A-Za-z0-9_]{1,64})(?:\/(dashboard)|\/broadcasts\/([A-Za-z0-9_-]{1,64}))?\/?$/;

export function parseRoute(pathname: string): Route {
  if (pathname === "/" || pathname === "") return { page: "home" };
  const match = CHANNEL_PATH.exec(pathname);
  const name = match?.[1]?.toLowerCase();
  if (match === null || name === undefined) return { page: "missing" };
  if (match[2] === "dashboard") return { page: "dashboard", name };
  const id = match[3];
  return id === undefined ? { page: "channel", name } : { page: "broadcast", name, id };
}

export const useRoute = create<Route>(() => parseRoute(window.location.pathname));
