/** The current route, parsed from `location.pathname`. Written by services/router.ts. */
import { create } from "zustand";

export type Route = { page: "home" } | { page: "channel"; name: string } | { page: "missing" };

const CHANNEL_PATH = /^\/c\/([A-Za-z0-9_]{1,64})\/?$/;

export function parseRoute(pathname: string): Route {
  if (pathname === "/" || pathname === "") return { page: "home" };
  const name = CHANNEL_PATH.exec(pathname)?.[1];
  return name === undefined ? { page: "missing" } : { page: "channel", name: name.toLowerCase() };
}

export const useRoute = create<Route>(() => parseRoute(window.location.pathname));
