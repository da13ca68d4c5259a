/**
 * What the browser test files share: the production build of the web app, Debian's chromium
 * through playwright-core, and (for the XSS corpus) a page watched for script that should
 * never run — calls of `window.__xssHit`, Content-Security-Policy violations, uncaught errors,
 * console errors and dialogs.
 */
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { build } from "vite";

export const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
export const hasBrowser = existsSync(CHROMIUM);
if (!hasBrowser)
  console.warn(`\n!!! ${CHROMIUM} not found: browser tests are SKIPPED (apt-get install chromium) !!!\n`);

export const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * A production build, as `npm run build` makes it, in a fresh temp dir (returned): vitest sets
 * NODE_ENV=test, which would otherwise give React's development build. Build before starting
 * the server: it looks for the build when it starts.
 */
export async function buildWebApp(prefix = "chorus-web-"): Promise<string> {
  const outDir = await mkdtemp(path.join(tmpdir(), prefix));
  const nodeEnv = process.env["NODE_ENV"];
  process.env["NODE_ENV"] = "production";
  try {
    await build({ root: webRoot, mode: "production", logLevel: "silent", build: { outDir, emptyOutDir: true } });
  } finally {
    if (nodeEnv === undefined) delete process.env["NODE_ENV"];
    else process.env["NODE_ENV"] = nodeEnv;
  }
  return outDir;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

// ---- a page watched for injected script ------------------------------------------------------

/** Something that should never happen on a page showing hostile text. */
export interface Incident {
  kind: "hit" | "csp" | "pageerror" | "console" | "dialog" | "popup";
  detail: string;
  /** The page or frame it happened in. */
  url: string;
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Every incident of every page and frame of the context, in order. */
  incidents: Incident[];
}

/**
 * Runs first in every document and frame of the context, before any of the app's code. Every
 * payload of the corpus calls `__xssHit(<code>)` (lower-cased as `__xsshit` where a server
 * lower-cases the text, as in platform logins); a call means injected script ran. A CSP
 * violation means markup tried to run or load something the policy stopped — the same
 * injection, caught by the second line of defence. Both are reported to the test through the
 * `__xssRecord` binding; the hits are also kept on the page (`__xssHits`).
 */
const WATCH_SCRIPT = `(() => {
  const record = (kind, detail) => {
    try { window.__xssRecord(kind, String(detail)); } catch {}
  };
  const hits = [];
  const hit = (code) => { hits.push(String(code)); record("hit", code); };
  for (const name of ["__xssHit", "__xsshit"]) {
    Object.defineProperty(window, name, { value: hit, writable: false, configurable: false });
  }
  Object.defineProperty(window, "__xssHits", { value: hits, writable: false, configurable: false });
  document.addEventListener("securitypolicyviolation", (e) => {
    record("csp", e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + (e.sourceFile || "?") + ":" + e.lineNumber + " sample " + JSON.stringify(e.sample || ""));
  }, true);
})();`;

/** Any https request leaves this machine: images of platform emotes get a 1×1 PNG instead. */
const PIXEL = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

/**
 * A fresh context (its own cookies; `cookie` as `name=value` signs it in) with the watch script
 * in every frame, `url` opened in it. Requests to anywhere but `serverUrl` are answered here
 * (an image for https images, an empty body otherwise), so a hostile URL never reaches the
 * network.
 */
export async function openWatched(
  browser: Browser,
  serverUrl: string,
  url: string,
  options: { cookie?: string; context?: BrowserContextOptions; before?: (page: Page) => Promise<void> } = {},
): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options.context });
  const incidents: Incident[] = [];
  await context.exposeBinding("__xssRecord", (source, kind: unknown, detail: unknown) => {
    const known = kind === "hit" || kind === "csp" ? kind : "console";
    incidents.push({ kind: known, detail: String(detail), url: source.frame.url() });
  });
  await context.addInitScript({ content: WATCH_SCRIPT });
  const origin = new URL(serverUrl).origin;
  await context.route(
    (target) => target.origin !== origin,
    (route) => {
      const target = new URL(route.request().url());
      if (target.protocol === "https:" && route.request().resourceType() === "image")
        return route.fulfill({ status: 200, contentType: "image/png", body: PIXEL });
      // A 200 that is nothing (an HLS playlist that does not parse): a 404 would be logged.
      return route.fulfill({ status: 200, contentType: "text/plain", body: "" });
    },
  );
  if (options.cookie) {
    const [name = "", value = ""] = options.cookie.split("=", 2);
    await context.addCookies([{ name, value, url: serverUrl }]);
  }
  const page = await context.newPage();
  page.on("pageerror", (e) => incidents.push({ kind: "pageerror", detail: e.message, url: page.url() }));
  page.on("console", (m) => {
    if (m.type() === "error")
      incidents.push({ kind: "console", detail: `${m.text()} [${m.location().url}]`, url: page.url() });
  });
  page.on("dialog", (d) => {
    incidents.push({ kind: "dialog", detail: `${d.type()}: ${d.message()}`, url: page.url() });
    void d.dismiss();
  });
  context.on("page", (p) => {
    if (p !== page) incidents.push({ kind: "popup", detail: p.url(), url: page.url() });
  });
  await options.before?.(page);
  await page.goto(url);
  return { context, page, incidents };
}

// ---- the page side ---------------------------------------------------------------------------
// Callbacks passed to page.evaluate run in the browser, but this file is compiled for Node (no
// DOM lib). The little of the DOM they touch is declared here, for this module only.
interface PageElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly scrollHeight: number;
  readonly clientHeight: number;
  scrollTop: number;
  readonly attributes: ArrayLike<{ readonly name: string; readonly value: string }>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  closest(selector: string): PageElement | null;
  dispatchEvent(event: WheelEvent): boolean;
  getClientRects(): ArrayLike<unknown>;
  scrollIntoView(options?: { block?: string }): void;
}
declare const document: {
  readonly documentElement: PageElement;
  readonly body: PageElement;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
};
declare function requestAnimationFrame(callback: (time: number) => void): number;
declare class WheelEvent {
  constructor(type: string, init?: { deltaY?: number; bubbles?: boolean });
}

/** What the DOM of a page holds that no rendering of text should ever have made. */
export interface DomAudit {
  /** `<a href="javascript:…">` and any other attribute holding a script-capable URL. */
  scriptUrls: string[];
  /** Inline event-handler attributes (`onerror=…`): React never writes them. */
  handlers: string[];
  /** Elements that only injected markup would bring (the app's own script tags excepted). */
  foreign: string[];
}

/** Looks at every element of the document (and of same-origin frames, were there any). */
export function auditDom(page: Page): Promise<DomAudit> {
  return page.evaluate(() => {
    const scriptUrls: string[] = [];
    const handlers: string[] = [];
    const foreign: string[] = [];
    const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"]);
    // Whitespace and control characters are ignored by URL parsers in front of a scheme.
    const dangerous = (value: string): boolean =>
      /^(javascript|vbscript|data):/i.test(value.replace(/[\u0000-\u0020]/g, ""));
    for (const el of Array.from(document.querySelectorAll("*"))) {
      const tag = el.tagName.toLowerCase();
      for (const { name, value } of Array.from(el.attributes)) {
        const n = name.toLowerCase();
        if (n.startsWith("on")) handlers.push(`<${tag} ${n}="${value.slice(0, 80)}">`);
        if (n === "srcdoc") scriptUrls.push(`<${tag} srcdoc>`);
        else if (URL_ATTRIBUTES.has(n) && dangerous(value)) scriptUrls.push(`<${tag} ${n}="${value.slice(0, 80)}">`);
        if (n === "style" && /url\(|expression\(|javascript:/i.test(value))
          foreign.push(`<${tag} style="${value.slice(0, 80)}">`);
      }
      const src = el.getAttribute("src") ?? "";
      if (tag === "script" && !src.startsWith("/assets/")) foreign.push(`<script src="${src}">`);
      if (tag === "meta" && el.getAttribute("http-equiv") !== null) foreign.push("<meta http-equiv>");
      if (tag === "iframe" && !src.startsWith("https://www.youtube-nocookie.com/embed/"))
        foreign.push(`<iframe src="${src}">`);
    }
    // Inside the app's root, React renders only what its components name: none of these.
    const root = document.querySelector("#root");
    const NEVER =
      "script, style, link, meta, base, object, embed, frame, frameset, math, marquee, noscript, template, svg script, svg animate, svg set, svg foreignObject";
    for (const el of Array.from(root?.querySelectorAll(NEVER) ?? []))
      foreign.push(`<${el.tagName.toLowerCase()}> in #root`);
    return { scriptUrls, handlers, foreign };
  });
}

/** Text of the whole page with runs of whitespace made one space (as the app renders it). */
export const squash = (text: string): string => text.replace(/\s+/g, " ").trim();

/**
 * The texts of `expected` that are not (yet) in the text of the elements `selector` matches,
 * compared with whitespace squashed. Only elements that take space on the page count.
 */
export function missingTexts(page: Page, selector: string, expected: readonly string[]): Promise<string[]> {
  return page.evaluate(
    ({ selector, expected }) => {
      const squashed = (t: string): string => t.replace(/\s+/g, " ").trim();
      const shown = Array.from(document.querySelectorAll(selector))
        .filter((el) => el.getClientRects().length > 0)
        .map((el) => squashed(el.textContent ?? ""))
        .join("\n");
      return expected.filter((t) => !shown.includes(squashed(t)));
    },
    { selector, expected },
  );
}

/** One row of a list as it was rendered. */
export interface RowReport {
  text: string;
  links: Array<{ href: string; rel: string | null; target: string | null }>;
  images: Array<{ src: string; alt: string }>;
  /** What no rendering of text should make, as in DomAudit: handlers, script URLs, foreign tags. */
  dangers: string[];
}

/**
 * Scrolls `scroller` from its top to its bottom a screenful at a time and reports every
 * `rowSelector` row seen on the way, by `keyAttribute`: a virtualised list has only the rows
 * near its viewport in the DOM, so neither its text nor its markup can be checked at one time.
 */
export function collectRows(
  page: Page,
  scroller: string,
  rowSelector: string,
  keyAttribute: string,
): Promise<Record<string, RowReport>> {
  return page.evaluate(
    async ({ scroller, rowSelector, keyAttribute }) => {
      // react-virtuoso scrolls an element of its own, inside or around the one named.
      const scrollerOf = (el: PageElement | null): PageElement | null =>
        [el, el?.querySelector("[data-virtuoso-scroller]"), el?.closest("[data-virtuoso-scroller]")].find(
          (c): c is PageElement => !!c && c.scrollHeight > c.clientHeight,
        ) ?? el;
      const frame = (): Promise<void> =>
        new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
      // The chat follows its end unless the reader scrolls: a wheel event first makes the
      // scroll the reader's (components/MessageList/follow.ts).
      const scrollTo = async (box: PageElement, top: number): Promise<void> => {
        box.dispatchEvent(new WheelEvent("wheel", { deltaY: top < box.scrollTop ? -100 : 100, bubbles: true }));
        box.scrollTop = top;
        await frame();
      };
      const box = scrollerOf(document.querySelector(scroller));
      const seen: Record<string, RowReport> = {};
      if (!box) return seen;
      const NEVER = new Set([
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "base",
        "meta",
        "link",
        "form",
        "math",
        "svg",
      ]);
      const dangerous = (value: string): boolean =>
        /^(javascript|vbscript|data):/i.test(value.replace(/[\u0000-\u0020]/g, ""));
      const take = (): void => {
        for (const row of Array.from(box.querySelectorAll(rowSelector))) {
          const key = row.getAttribute(keyAttribute);
          if (key === null) continue;
          const dangers: string[] = [];
          for (const el of [row, ...Array.from(row.querySelectorAll("*"))]) {
            const tag = el.tagName.toLowerCase();
            // Icons are the app's own: <svg aria-hidden> holding a <use> of the sprite.
            if (NEVER.has(tag) && !(tag === "svg" && el.getAttribute("aria-hidden") === "true"))
              dangers.push(`<${tag}>`);
            for (const { name, value } of Array.from(el.attributes)) {
              if (name.toLowerCase().startsWith("on")) dangers.push(`<${tag} ${name}>`);
              if (
                ["href", "src", "action", "formaction", "xlink:href", "srcdoc", "data"].includes(name) &&
                dangerous(value)
              )
                dangers.push(`<${tag} ${name}="${value.slice(0, 60)}">`);
            }
          }
          seen[key] = {
            text: row.textContent ?? "",
            links: Array.from(row.querySelectorAll("a"), (a) => ({
              href: a.getAttribute("href") ?? "",
              rel: a.getAttribute("rel"),
              target: a.getAttribute("target"),
            })),
            images: Array.from(row.querySelectorAll("img"), (img) => ({
              src: img.getAttribute("src") ?? "",
              alt: img.getAttribute("alt") ?? "",
            })),
            dangers,
          };
        }
      };
      await scrollTo(box, 0);
      for (let guard = 0; guard < 500; guard++) {
        take();
        if (box.scrollTop + box.clientHeight >= box.scrollHeight - 1) break;
        await scrollTo(box, box.scrollTop + Math.max(50, Math.floor(box.clientHeight / 2)));
      }
      take();
      return seen;
    },
    { scroller, rowSelector, keyAttribute },
  );
}

/**
 * Brings the element matching `target` into view, scrolling `scroller` from its top until it is
 * rendered if it is not (a virtualised list). Whether it was found.
 */
export function revealInList(page: Page, scroller: string, target: string): Promise<boolean> {
  return page.evaluate(
    async ({ scroller, target }) => {
      const scrollerOf = (el: PageElement | null): PageElement | null =>
        [el, el?.querySelector("[data-virtuoso-scroller]"), el?.closest("[data-virtuoso-scroller]")].find(
          (c): c is PageElement => !!c && c.scrollHeight > c.clientHeight,
        ) ?? el;
      const frame = (): Promise<void> =>
        new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
      // The chat follows its end unless the reader scrolls: a wheel event first makes the
      // scroll the reader's (components/MessageList/follow.ts).
      const scrollTo = async (box: PageElement, top: number): Promise<void> => {
        box.dispatchEvent(new WheelEvent("wheel", { deltaY: top < box.scrollTop ? -100 : 100, bubbles: true }));
        box.scrollTop = top;
        await frame();
      };
      const box = scrollerOf(document.querySelector(scroller));
      if (!box) return false;
      const rendered = box.querySelector(target);
      if (rendered) {
        box.dispatchEvent(new WheelEvent("wheel", { deltaY: -100, bubbles: true }));
        rendered.scrollIntoView({ block: "center" });
        await frame();
        return true;
      }
      await scrollTo(box, 0);
      for (let guard = 0; guard < 500; guard++) {
        const found = box.querySelector(target);
        if (found) {
          box.dispatchEvent(new WheelEvent("wheel", { deltaY: -100, bubbles: true }));
          found.scrollIntoView({ block: "center" });
          await frame();
          return true;
        }
        if (box.scrollTop + box.clientHeight >= box.scrollHeight - 1) return false;
        await scrollTo(box, box.scrollTop + Math.max(50, Math.floor(box.clientHeight / 2)));
      }
      return false;
    },
    { scroller, target },
  );
}
