/**
 * Client-side navigation with the History API (the server answers every GET outside /api with
 * index.html). Links stay real `<a href>`s, so middle-click and "open in new tab" work.
 */
import { parseRoute, useRoute } from "../store/route";

export const channelPath = (name: string): string => `/c/${encodeURIComponent(name)}`;

export function navigate(path: string): void {
  if (path === window.location.pathname) return;
  window.history.pushState(null, "", path);
  useRoute.setState(parseRoute(path), true);
  window.scrollTo(0, 0);
}

export function startRouter(): void {
  window.addEventListener("popstate", () => useRoute.setState(parseRoute(window.location.pathname), true));
}

/** Click handler for in-app links: plain left clicks navigate in place, modified clicks behave as usual. */
export function followLink(event: {
  button: number;
  metaKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  defaultPrevented: boolean;
  preventDefault(): void;
  currentTarget: { getAttribute(name: string): string | null };
}): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const href = event.currentTarget.getAttribute("href");
  if (href === null || !href.startsWith("/")) return;
  event.preventDefault();
  navigate(href);
}
