/**
 * The viewer app in a real browser (Debian's chromium through playwright-core) against a real
 * server that serves the production build with its Content-Security-Policy. One build, one
 * server and one browser for the whole file; every test uses its own browser context (no
 * shared cookies) and, where it posts, its own channel.
 *
 * Screenshots of the main pages go to test-results/ (CI artifacts).
 */
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { ChorusClient } from "@chorus/client/node";
import type { Channel, Message, ServerFrame, User } from "@chorus/protocol";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/harness.js";
import {
  api,
  createChannel,
  loginAdmin,
  postMessage,
  register,
  type Session,
  uniqueName,
} from "../../server/test/helpers.js";
import { buildWebApp, hasBrowser, launchChromium, webRoot } from "./browser-harness.js";

const SCREENSHOTS = path.resolve(webRoot, "../../test-results");
const LINK_REL = "noopener noreferrer nofollow ugc";
const PASSWORD = "correct horse battery";

// ---- the page side ---------------------------------------------------------------------
// Callbacks passed to page.evaluate run in the browser, but this file is compiled for Node
// (no DOM lib, which would leak into every package's type check). The little of the DOM they
// touch is declared here, for this module only.
interface PageElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
  getAttributeNames(): string[];
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  getBoundingClientRect(): { top: number; bottom: number };
}
declare const document: {
  readonly activeElement: PageElement | null;
  readonly body: PageElement;
  readonly documentElement: PageElement & { readonly scrollWidth: number; classList: { contains(c: string): boolean } };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
};
declare const window: Record<string, unknown>;
declare function getComputedStyle(element: PageElement): {
  outlineStyle: string;
  transitionDuration: string;
  opacity: string;
};
declare class PerformanceObserver {
  constructor(callback: (list: { getEntries(): Array<{ duration: number; startTime: number }> }) => void);
  observe(options: { type: string }): void;
}
declare function requestAnimationFrame(callback: (time: number) => void): number;

interface FrameStats {
  count: number;
  totalMs: number;
  average: number;
  median: number;
  p95: number;
  max: number;
  over50: number;
}

/** Summary of a run of animation-frame intervals (ms). */
function frameStats(intervals: number[]): FrameStats {
  const sorted = [...intervals].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const totalMs = intervals.reduce((sum, ms) => sum + ms, 0);
  return {
    count: intervals.length,
    totalMs,
    average: (intervals.length * 1000) / totalMs,
    median: at(0.5),
    p95: at(0.95),
    max: sorted.at(-1) ?? Number.NaN,
    over50: intervals.filter((ms) => ms > 50).length,
  };
}

interface Opened {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions in the page. */
  errors: string[];
}

describe.skipIf(!hasBrowser)("viewer app in Chromium", () => {
  let outDir: string;
  let server: TestServer;
  let browser: Browser;
  let admin: Session;

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    outDir = await buildWebApp();
    server = await startTestServer({ webDistDir: outDir, analysis: { enabled: true } });
    browser = await launchChromium();
    admin = await loginAdmin(server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  async function open(url: string, options: BrowserContextOptions = {}, before?: (page: Page) => Promise<void>) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await before?.(page);
    await page.goto(url);
    return { context, page, errors } satisfies Opened;
  }

  /** Closes what a test opened (a failing test leaves it to browser.close() in afterAll). */
  async function close(...opened: Opened[]): Promise<void> {
    for (const o of opened) await o.context.close();
  }

  const channelUrl = (name: string): string => `${server.url}/c/${name}`;

  /** Opens `url` signed in as `session` (its session cookie, as after a login on the page). */
  function openAs(
    session: Session,
    url: string,
    options: BrowserContextOptions = {},
    before?: (page: Page) => void,
  ): Promise<Opened> {
    const [name = "", value = ""] = session.cookie.split("=", 2);
    return open(url, options, async (page) => {
      before?.(page);
      await page.context().addCookies([{ name, value, url: server.url }]);
    });
  }

  /** A registered user given `role` in `channel` by its owner (the admin). */
  async function withRole(channel: string, prefix: string, role: string): Promise<Session> {
    const session = await register(server.url, prefix);
    const res = await api(server.url, "PUT", `/api/channels/${channel}/roles/${session.user.username}`, {
      token: admin.token,
      body: { role },
    });
    expect(res.status).toBe(200);
    return session;
  }
  const row = (page: Page, seq: number) => page.locator(`[data-row="message"][data-seq="${seq}"]`);
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `web-${name}.png`) });

  /** Kinds and seqs of the rendered chat rows, top to bottom: a number per message, "divider"… */
  function renderedRows(page: Page): Promise<Array<number | string>> {
    return page.evaluate(() =>
      Array.from(document.querySelectorAll('[data-testid="chat-list"] [data-row]'), (el) =>
        el.dataset["row"] === "message" ? Number(el.dataset["seq"]) : (el.dataset["row"] ?? "?"),
      ),
    );
  }

  async function post(session: Session, channel: string, text: string): Promise<Message> {
    const res = await postMessage(server.url, session, channel, text);
    if (res.status !== 201) throw new Error(`post failed: ${res.status} ${res.text}`);
    return res.body.message;
  }

  it("serves the app with a CSP and no inline script; the landing page lists live channels first", async () => {
    for (const route of ["/", "/c/main"]) {
      const res = await fetch(`${server.url}${route}`);
      expect(res.status).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-eval");
      // Nobody else's page may frame the app (clickjacking).
      expect(csp).toContain("frame-ancestors 'self'");
      const html = await res.text();
      expect(html).toContain('id="root"');
      // Every script is an external file: nothing the CSP would have to allow inline.
      expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? []).toEqual([]);
    }

    const live = await createChannel(server.url, admin, "live");
    const title = `Speedrun night ${Date.now()}`;
    const started = await api(server.url, "POST", `/api/channels/${live}/live`, {
      token: admin.token,
      body: { title },
    });
    expect(started.status).toBe(201);

    const o = await open(server.url);
    const cards = o.page.getByTestId("channel-card");
    await cards.first().waitFor();
    const order = await cards.evaluateAll((els) =>
      els.map((el) => ({ name: el.getAttribute("data-channel"), live: el.hasAttribute("data-live") })),
    );
    expect(order.some((c) => c.name === "main")).toBe(true);
    const firstOffline = order.findIndex((c) => !c.live);
    expect(order.slice(firstOffline === -1 ? order.length : firstOffline).every((c) => !c.live)).toBe(true);
    const card = o.page.locator(`[data-channel="${live}"]`);
    await expect.poll(() => card.textContent()).toContain(title);
    expect(await card.textContent()).toMatch(/Live.*\d+ viewers?/);
    await shot(o.page, "landing-dark");

    // Dark by default, light on request, remembered across reloads.
    expect(await o.page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(true);
    await o.page.getByRole("button", { name: "Switch to light theme" }).click();
    await o.page.reload();
    await cards.first().waitFor();
    expect(await o.page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(false);
    await shot(o.page, "landing-light");
    expect(o.errors).toEqual([]);
    await close(o);
  });

  it("delivers a guest's message to another page, announced politely, with the keyboard only", async () => {
    const channel = await createChannel(server.url, admin, "duo");
    const reader = await open(channelUrl(channel));
    const writer = await open(channelUrl(channel));
    await expect.poll(() => reader.page.getByTestId("connection").getAttribute("data-state")).toBe("live");

    // Keyboard: Tab from the top of the page reaches the guest name field, with a visible focus ring.
    const { page } = writer;
    await page.getByLabel("Pick a name").waitFor();
    let reached = false;
    for (let i = 0; i < 25 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.getAttribute("name") === "username");
    }
    expect(reached).toBe(true);
    expect(await page.evaluate(() => getComputedStyle(document.activeElement ?? document.body).outlineStyle)).not.toBe(
      "none",
    );
    const name = uniqueName("Guest");
    await page.keyboard.type(name);
    await page.keyboard.press("Enter");
    const input = page.getByTestId("message-input");
    await input.waitFor();
    expect(await page.getByTestId("signed-in-as").textContent()).toContain(name);

    const text = `hello from the browser ${Date.now()}`;
    await input.fill(text);
    await input.press("Enter");
    const seen = reader.page.locator('[data-row="message"]', { hasText: text });
    await seen.waitFor({ timeout: 10_000 });
    expect(await seen.locator('bdi[data-part="name"]').textContent()).toBe(name);
    expect(await seen.locator('bdi[data-part="text"]').textContent()).toBe(text);
    // The writer's box is emptied once the server accepted the message.
    await expect.poll(() => input.inputValue()).toBe("");
    // Screen readers hear about it through the throttled polite live region.
    await expect.poll(() => reader.page.getByTestId("announcer").textContent()).toContain(text);
    expect(await reader.page.getByTestId("announcer").getAttribute("aria-live")).toBe("polite");
    await shot(reader.page, "channel-desktop");

    // A message that mentions the writer is highlighted on the writer's page only.
    const mention = await post(admin, channel, `welcome @${name}!`);
    await row(page, mention.seq).waitFor();
    expect(await row(page, mention.seq).getAttribute("data-mentioned")).toBe("");
    await row(reader.page, mention.seq).waitFor();
    expect(await row(reader.page, mention.seq).getAttribute("data-mentioned")).toBeNull();

    // A deleted message disappears for viewers.
    const id = await seen.getAttribute("data-id");
    const removed = await api(server.url, "DELETE", `/api/channels/${channel}/messages/${id}`, { token: admin.token });
    expect(removed.status).toBe(204);
    await reader.page.locator(`[data-row="message"][data-id="${id}"]`).waitFor({ state: "detached" });
    expect(await reader.page.getByTestId("chat-list").textContent()).not.toContain(text);
    expect([...reader.errors, ...writer.errors]).toEqual([]);
    await close(reader, writer);
  });

  it("registers and logs in on the page, creates a channel, goes live, and explains a rate limit", async () => {
    const o = await open(server.url);
    const { page } = o;
    const username = uniqueName("reg");
    // Register from the landing page's "start a channel" box.
    await page.getByRole("button", { name: "Register" }).click();
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect.poll(() => page.getByTestId("signed-in-as").textContent()).toContain(username);

    // Log out and back in, in place.
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByTestId("signed-in-as").waitFor({ state: "detached" });
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill("wrong password!");
    await page.getByRole("button", { name: "Log in", exact: true }).last().click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("Wrong username or password");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in", exact: true }).last().click();
    await expect.poll(() => page.getByTestId("signed-in-as").textContent()).toContain(username);

    // Create a channel; the page moves to it and shows the owner's controls.
    const channel = uniqueName("own");
    await page.getByLabel("Channel name").fill(channel);
    await page.getByLabel("Title").fill("My first stream");
    await page.getByRole("button", { name: "Create channel" }).click();
    await page.waitForURL(`**/c/${channel}`);
    await page.getByText("Stream settings").click();
    await page.getByLabel("Video source").fill("https://www.youtube.com/watch?v=dQw4w9WgXcQ");
    await page.getByRole("button", { name: "Go live" }).click();
    const frame = page.locator('[data-testid="video"] iframe');
    await frame.waitFor();
    expect(await frame.getAttribute("src")).toMatch(/^https:\/\/www\.youtube-nocookie\.com\/embed\/dQw4w9WgXcQ\?/);
    await expect.poll(() => page.getByTestId("channel-page").textContent()).toContain("Live");

    // The counter appears near the limit; over 500 characters nothing is sent.
    const input = page.getByTestId("message-input");
    await input.fill("x".repeat(501));
    expect(await page.getByTestId("char-count").textContent()).toBe("1 character over the limit");
    expect(await page.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);

    // Spend this user's message allowance from another session, then send from the page.
    const other = await api<{ user: User; token: string }>(server.url, "POST", "/api/auth/login", {
      body: { username, password: PASSWORD },
    });
    const session: Session = { user: other.body.user, token: other.body.token, cookie: "" };
    for (let i = 0; ; i++) {
      const res = await postMessage(server.url, session, channel, `filler ${i}`);
      if (res.status === 429) break;
      expect(res.status).toBe(201);
      expect(i).toBeLessThan(100);
    }
    const unsent = "this one is kept";
    await input.fill(unsent);
    await input.press("Enter");
    const status = page.getByTestId("send-status");
    await expect.poll(() => status.textContent()).toMatch(/too quickly\. Try again in \d+ s\./);
    expect(await input.inputValue()).toBe(unsent);
    await shot(page, "channel-owner-live");
    expect(o.errors).toEqual([]);
    await close(o);
  });

  it("after a server restart shows what was posted meanwhile, in order, under a divider", async () => {
    const channel = await createChannel(server.url, admin, "resume");
    const before: Message[] = [];
    for (let i = 1; i <= 5; i++) before.push(await post(admin, channel, `before ${i}`));
    // While `hold` is set, the page's WebSocket cannot reach the server, so the messages below
    // are certainly posted while the page is away (its reconnect timing is random). The route
    // also counts the server's `subscribed` answers.
    let hold = false;
    let subscribed = 0;
    const o = await open(channelUrl(channel), {}, (page) =>
      page.routeWebSocket(/\/api\/ws$/, (ws) => {
        if (hold) {
          void ws.close({ code: 1011, reason: "held by the test" });
          return;
        }
        const upstream = ws.connectToServer();
        upstream.onMessage((message) => {
          if (String(message).includes('"op":"subscribed"')) subscribed++;
          ws.send(message);
        });
      }),
    );
    const { page } = o;
    await row(page, before.at(-1)?.seq ?? 0).waitFor();
    const connection = page.getByTestId("connection");
    await expect.poll(() => connection.getAttribute("data-state")).toBe("live");
    // Subscribed (not only connected) before the restart: there is a position to resume from.
    await expect.poll(() => subscribed).toBe(1);

    hold = true;
    await server.restart();
    await expect.poll(() => connection.getAttribute("data-state")).not.toBe("live");
    const missed: Message[] = [];
    for (let i = 1; i <= 7; i++) missed.push(await post(admin, channel, `missed ${i}`));
    hold = false;

    await row(page, missed.at(-1)?.seq ?? 0).waitFor({ timeout: 15_000 });
    expect(subscribed).toBe(2);
    await expect.poll(() => connection.getAttribute("data-state")).toBe("live");
    const after = await post(admin, channel, "after the reconnect");
    await row(page, after.seq).waitFor();

    const expected = [...before.map((m) => m.seq), "divider", ...missed.map((m) => m.seq), after.seq];
    await expect.poll(() => renderedRows(page)).toEqual(expected);
    // Contiguous seqs: no gap, no duplicate.
    const seqs = (await renderedRows(page)).filter((r): r is number => typeof r === "number");
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
    const divider = page.locator('[data-row="divider"]');
    expect(await divider.textContent()).toContain("7 missed messages");
    const texts = await page.locator('[data-row="message"] bdi[data-part="text"]').allTextContents();
    expect(texts).toEqual([...before, ...missed, after].map((m) => m.text));
    await shot(page, "reconnect-divider");
    expect(o.errors).toEqual([]);
    await close(o);
  });

  it("pauses when the reader scrolls up, counts new messages, and jumps back", async () => {
    const channel = await createChannel(server.url, admin, "scroll");
    let last: Message | undefined;
    for (let i = 1; i <= 60; i++) last = await post(admin, channel, `line ${i} ${"lorem ipsum ".repeat(i % 4)}`);
    const o = await open(channelUrl(channel), { reducedMotion: "reduce" });
    const { page } = o;
    const list = page.getByTestId("chat-list");
    const inView = (seq: number) =>
      page.evaluate((s) => {
        const el = document.querySelector(`[data-row="message"][data-seq="${s}"]`);
        const box = document.querySelector('[data-testid="chat-list"]')?.getBoundingClientRect();
        const r = el?.getBoundingClientRect();
        return !!box && !!r && r.bottom > box.top && r.top < box.bottom;
      }, seq);
    await expect.poll(() => inView(last?.seq ?? 0)).toBe(true);

    // A new message while following scrolls into view by itself.
    const followed = await post(admin, channel, "still following");
    await expect.poll(() => inView(followed.seq)).toBe(true);

    await list.hover();
    await page.mouse.wheel(0, -1200);
    await expect.poll(() => list.getAttribute("data-paused")).toBe("");
    const jump = page.getByTestId("jump-to-latest");
    const fresh: Message[] = [];
    for (let i = 1; i <= 5; i++) fresh.push(await post(admin, channel, `while reading ${i}`));
    await expect.poll(() => jump.textContent()).toBe("5 new messages");
    const newest = fresh.at(-1)?.seq ?? 0;
    expect(await inView(newest)).toBe(false);
    expect(await list.getAttribute("data-paused")).toBe("");

    // Reduced motion: transitions are switched off.
    const duration = await page.evaluate(() => {
      const time = document.querySelector('[data-row="message"] time');
      return time ? Number.parseFloat(getComputedStyle(time).transitionDuration) : Number.NaN;
    });
    expect(duration).toBeLessThan(0.001);
    await shot(page, "scroll-paused");

    await jump.click();
    await expect.poll(() => inView(newest)).toBe(true);
    await jump.waitFor({ state: "detached" });
    expect(await list.getAttribute("data-paused")).toBeNull();
    expect(o.errors).toEqual([]);
    await close(o);
  });

  it("stacks video, title and chat on a phone", async () => {
    const channel = await createChannel(server.url, admin, "phone");
    const last = await post(admin, channel, "hello phone");
    const o = await open(channelUrl(channel), {
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const { page } = o;
    await row(page, last.seq).waitFor();
    await page.getByLabel("Pick a name").waitFor();
    const box = async (testId: string) => {
      const b = await page.getByTestId(testId).boundingBox();
      if (!b) throw new Error(`${testId} is not visible`);
      return b;
    };
    const video = await box("video");
    const title = await box("channel-title");
    const chat = await box("chat-panel");
    const form = await box("auth-form");
    // Full-width 16:9 video on top, then the title, then the chat down to the bottom edge.
    expect(video.x).toBe(0);
    expect(video.width).toBe(390);
    expect(Math.abs(video.height - (390 * 9) / 16)).toBeLessThan(2);
    expect(title.y).toBeGreaterThanOrEqual(video.y + video.height);
    expect(chat.y).toBeGreaterThanOrEqual(title.y + title.height);
    expect(chat.width).toBe(390);
    expect(Math.abs(chat.y + chat.height - 844)).toBeLessThan(2);
    // The way into the chat is on screen, and nothing scrolls sideways.
    expect(form.y + form.height).toBeLessThanOrEqual(844);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const list = await box("chat-list");
    expect(list.height).toBeGreaterThan(100);
    await shot(page, "channel-phone");
    expect(o.errors).toEqual([]);
    await close(o);
  });

  it("renders a corpus of hostile messages and names as inert text", async () => {
    const channel = await createChannel(server.url, admin, "xss");
    const author = await register(server.url, "xss");
    // The corpus has links; channels allow them to VIPs and up by default.
    const links = await api(server.url, "PATCH", `/api/channels/${channel}`, {
      token: admin.token,
      body: { settings: { linksMinRole: "viewer" } },
    });
    expect(links.status).toBe(200);
    const texts = [
      "<script>window.__pwned='script'</script>",
      `<img src=x onerror="window.__pwned='img'">`,
      "<svg/onload=window.__pwned='svg'>",
      `<a href="javascript:window.__pwned='a'">click me</a>`,
      "javascript:window.__pwned='scheme'",
      "JaVaScRiPt:alert(document.domain)",
      `https://example.com/"><img src=x onerror=window.__pwned='attr'>`,
      `<iframe src="javascript:window.__pwned='iframe'"></iframe>`,
      "<style>*{display:none!important}</style>",
      `{{constructor.constructor('window.__pwned="tpl"')()}}`,
      "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
      "https://bank.example@evil.example/login",
      "<details open ontoggle=window.__pwned='details'>",
      "\u202Egnp.exe\u202C is not an image",
    ];
    const names = [
      `<img src=x onerror="window.__pwned='name'">`,
      "\u202Eevil_name\u202C",
      `"><svg onload=window.__pwned='name2'>`,
      "javascript:window.__pwned='name3'",
    ];
    // Names cannot carry markup through this server's rules, but a bridged platform's can:
    // rewrite the authors of this channel's message events on their way to the page.
    const rewrite = (raw: string): string => {
      const frames = JSON.parse(raw) as ServerFrame[];
      for (const frame of frames) {
        if (frame.op !== "event" || frame.type !== "message" || frame.channel !== channel) continue;
        const i = frame.seq % names.length;
        frame.data.author = {
          ...frame.data.author,
          displayName: names[i] ?? "",
          color: "red;background:url(javascript:window.__pwned='css')",
          badges: ["<script>window.__pwned='badge'</script>", "moderator"],
          platform: "<svg onload=window.__pwned='platform'>",
        };
      }
      return JSON.stringify(frames);
    };
    const dialogs: string[] = [];
    // Tall enough for every row of the corpus to be rendered at once.
    const o = await open(channelUrl(channel), { viewport: { width: 1280, height: 1800 } }, async (page) => {
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.addInitScript(() => {
        Object.assign(window, { __pwned: "untouched" });
      });
      await page.routeWebSocket(/\/api\/ws$/, (ws) => {
        const upstream = ws.connectToServer();
        upstream.onMessage((message) => ws.send(typeof message === "string" ? rewrite(message) : message));
      });
    });
    const { page } = o;
    await expect.poll(() => page.getByTestId("connection").getAttribute("data-state")).toBe("live");
    const posted: Message[] = [];
    for (const text of texts) posted.push(await post(author, channel, text));
    await row(page, posted.at(-1)?.seq ?? 0).waitFor();

    expect(await page.evaluate(() => window["__pwned"])).toBe("untouched");
    expect(dialogs).toEqual([]);
    const report = await page.evaluate(() => {
      const list = document.querySelector('[data-testid="chat-list"]');
      const all = list ? Array.from(list.querySelectorAll("*")) : [];
      return {
        forbidden: all.filter((el) =>
          ["SCRIPT", "IMG", "IFRAME", "STYLE", "DETAILS", "OBJECT", "EMBED"].includes(el.tagName),
        ).length,
        handlers: all.flatMap((el) => el.getAttributeNames().filter((n) => n.toLowerCase().startsWith("on"))),
        svgs: all.filter((el) => el.tagName.toLowerCase() === "svg" && el.getAttribute("aria-hidden") !== "true")
          .length,
        links: Array.from(list?.querySelectorAll("a") ?? [], (a) => ({
          href: a.getAttribute("href"),
          rel: a.getAttribute("rel"),
          target: a.getAttribute("target"),
        })),
        styles: all.map((el) => el.getAttribute("style") ?? "").filter((s) => /javascript|url\(/i.test(s)),
        rows: Array.from(list?.querySelectorAll('[data-row="message"]') ?? [], (el) => ({
          name: el.querySelector('[data-part="name"]'),
          text: el.querySelector('[data-part="text"]'),
        })).map(({ name, text }) => ({
          nameTag: name?.tagName,
          name: name?.textContent,
          textTag: text?.tagName,
          text: text?.textContent,
        })),
      };
    });
    expect(report.forbidden).toBe(0);
    expect(report.handlers).toEqual([]);
    expect(report.svgs).toBe(0);
    expect(report.styles).toEqual([]);
    // Exactly one link: the http(s) URL up to the quote, with the safe rel.
    expect(report.links).toEqual([
      {
        href: "https://example.com/",
        rel: LINK_REL,
        target: "_blank",
      },
    ]);
    // Every text and name shows literally, isolated in <bdi>.
    expect(report.rows.map((r) => r.text)).toEqual(posted.map((m) => m.text));
    expect(report.rows.map((r) => r.name)).toEqual(posted.map((m) => names[m.seq % names.length]));
    expect(new Set(report.rows.flatMap((r) => [r.nameTag, r.textTag]))).toEqual(new Set(["BDI"]));
    // The server strips bidi controls from message text.
    expect(posted.at(-1)?.text).toBe("gnp.exe is not an image");
    await shot(page, "xss-corpus");
    expect(o.errors).toEqual([]);
    await close(o);
  });

  it("a moderator times a viewer out from the row: the viewer sees the banner, sends are refused, text kept", async () => {
    const channel = await createChannel(server.url, admin, "modrow");
    const mod = await withRole(channel, "mod", "moderator");
    const viewer = await register(server.url, "viewer");
    const own = await post(mod, channel, "a moderator speaks");
    const bad = await post(viewer, channel, "spam spam spam");
    const m = await openAs(mod, channelUrl(channel));
    const v = await openAs(viewer, channelUrl(channel));
    await row(v.page, bad.seq).waitFor();
    await expect.poll(() => v.page.getByTestId("connection").getAttribute("data-state")).toBe("live");

    // The moderator's own message offers nothing; the viewer's offers the actions on hover.
    await m.page.getByTestId("mod-panel-toggle").waitFor();
    await row(m.page, own.seq).hover();
    expect(await row(m.page, own.seq).getByTestId("mod-actions").count()).toBe(0);
    const target = row(m.page, bad.seq);
    await target.hover();
    const toolbar = target.getByTestId("mod-actions");
    await expect.poll(() => toolbar.evaluate((el) => getComputedStyle(el).opacity)).toBe("1");
    await target.getByTestId("mod-timeout").click();
    const started = Date.now();
    await target.getByTestId("mod-timeout-600").click();

    // The viewer's page: the banner with the end time and a countdown; their message is gone.
    const banner = v.page.getByTestId("sanction-banner");
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.getAttribute("data-kind")).toBe("timeout");
    const until = Date.parse((await v.page.getByTestId("sanction-until").getAttribute("datetime")) ?? "");
    expect(Math.abs(until - (started + 600_000))).toBeLessThan(15_000);
    expect(await v.page.getByTestId("sanction-until").textContent()).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    expect(await v.page.getByTestId("sanction-countdown").textContent()).toMatch(/^(9:[0-5]\d|10:00)$/);
    await row(v.page, bad.seq).waitFor({ state: "detached" });
    // The moderator still sees it, marked.
    await expect.poll(() => target.getAttribute("data-removed")).toBe("timeout");

    // A send while timed out is refused by the server; the text stays in the box.
    const input = v.page.getByTestId("message-input");
    const unsent = "let me talk please";
    await input.fill(unsent);
    const refused = v.page.waitForResponse((r) => r.url().endsWith(`/api/channels/${channel}/messages`));
    await input.press("Enter");
    const response = await refused;
    expect(response.status()).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("timed_out");
    expect(await input.inputValue()).toBe(unsent);
    expect(await banner.isVisible()).toBe(true);
    await shot(v.page, "viewer-timed-out");
    await target.hover();
    await shot(m.page, "moderator-row-actions");

    // Lifted: the banner goes.
    const lifted = await api(server.url, "DELETE", `/api/channels/${channel}/bans/${viewer.user.username}`, {
      token: mod.token,
    });
    expect(lifted.status).toBe(204);
    await banner.waitFor({ state: "detached" });
    expect([...m.errors, ...v.errors]).toEqual([]);
    await close(m, v);
  });

  it("a moderator bans and lifts from the panel, and the modlog shows both", async () => {
    const channel = await createChannel(server.url, admin, "modpanel");
    const mod = await withRole(channel, "mod", "moderator");
    const viewer = await register(server.url, "viewer");
    const name = viewer.user.username;
    await post(viewer, channel, "hello");
    const m = await openAs(mod, channelUrl(channel));
    const { page } = m;
    await page.getByTestId("mod-panel-toggle").click();
    const panel = page.getByTestId("mod-panel");
    await panel.getByPlaceholder("username").fill(name);
    await panel.getByLabel("Duration").selectOption("ban");
    await panel.getByPlaceholder("reason (optional)").fill("spam bot");
    await panel.getByRole("button", { name: "Apply" }).click();
    const entry = panel.locator(`[data-testid="ban-list"] li[data-username="${name}"]`);
    await entry.waitFor();
    expect(await entry.getAttribute("data-kind")).toBe("ban");
    expect(await entry.textContent()).toContain("spam bot");
    const modlog = panel.getByTestId("modlog");
    await modlog.locator('li[data-action="ban"]').waitFor();
    await shot(page, "moderator-panel");

    await entry.getByRole("button", { name: "Lift" }).click();
    await entry.waitFor({ state: "detached" });
    await modlog.locator('li[data-action="unban"]').waitFor();
    const bans = await api<{ bans: unknown[] }>(server.url, "GET", `/api/channels/${channel}/bans`, {
      token: mod.token,
    });
    expect(bans.body.bans).toEqual([]);
    const actions = () =>
      modlog
        .locator("li")
        .evaluateAll((els) => els.map((el) => `${el.getAttribute("data-action")} ${el.getAttribute("data-target")}`));
    // Newest first; the oldest is the moderator's own promotion.
    expect(await actions()).toEqual([`unban ${name}`, `ban ${name}`, `set_role ${mod.user.username}`]);
    // Filters: by action, then by a user with no entries.
    await panel.getByLabel("Action", { exact: true }).selectOption("ban");
    await expect.poll(actions).toEqual([`ban ${name}`]);
    await panel.getByLabel("Action", { exact: true }).selectOption("");
    await panel.getByPlaceholder("filter by user").fill("nobody_here");
    await expect.poll(actions).toEqual([]);
    await panel.getByPlaceholder("filter by user").fill(name);
    await expect.poll(actions).toEqual([`unban ${name}`, `ban ${name}`]);
    expect(m.errors).toEqual([]);
    await close(m);
  });

  it("shows a viewer no moderation controls", async () => {
    const channel = await createChannel(server.url, admin, "modnone");
    const viewer = await register(server.url, "viewer");
    const other = await register(server.url, "other");
    const msg = await post(other, channel, "hi there");
    // The page asks once whether this user may moderate (their standing; on a server without
    // GET /me, the bans probe); the server says no.
    const probes: string[] = [];
    const v = await openAs(viewer, channelUrl(channel), {}, (page) =>
      page.on("response", (r) => {
        const path = new URL(r.url()).pathname;
        if (path === `/api/channels/${channel}/me` || path === `/api/channels/${channel}/bans`)
          probes.push(`${path.split("/").at(-1)} ${r.status()}`);
      }),
    );
    const { page } = v;
    await expect.poll(() => probes.at(-1), { timeout: 10_000 }).toMatch(/^(me 200|bans 403)$/);
    expect([["me 200"], ["me 404", "bans 403"]]).toContainEqual(probes);
    await row(page, msg.seq).hover();
    expect(await page.getByTestId("mod-actions").count()).toBe(0);
    expect(await page.getByTestId("mod-more").count()).toBe(0);
    expect(await page.getByTestId("mod-panel-toggle").count()).toBe(0);
    // The user card opens from the name, without actions.
    await row(page, msg.seq).locator('[data-part="name-button"]').click();
    const card = page.getByTestId("user-card");
    await card.waitFor();
    expect(await card.getAttribute("data-username")).toBe(other.user.username);
    expect(await card.getByTestId("user-card-messages").textContent()).toContain("hi there");
    expect(await card.getByTestId("user-card-actions").count()).toBe(0);
    await page.keyboard.press("Escape");
    await card.waitFor({ state: "detached" });
    expect(v.errors).toEqual([]);
    await close(v);
  });

  it("the owner holds a term from the editor; a viewer is told, a moderator approves live, and it appears", async () => {
    const owner = await register(server.url, "owner");
    const channel = await createChannel(server.url, owner, "held");
    const viewer = await register(server.url, "viewer");
    const o = await openAs(owner, channelUrl(channel));
    const v = await openAs(viewer, channelUrl(channel));

    // The owner adds the term in the Terms tab, with the hold action.
    await o.page.getByTestId("mod-panel-toggle").click();
    const panel = o.page.getByTestId("mod-panel");
    await panel.getByTestId("mod-tab-button-terms").click();
    const term = "frobnicat*";
    await panel.getByPlaceholder("word, phrase or spam*").fill(term);
    await panel.getByLabel("Action", { exact: true }).selectOption("hold");
    await panel.getByRole("button", { name: "Add" }).click();
    await panel.locator(`[data-testid="terms-list"] li[data-term="${term}"][data-action="hold"]`).waitFor();
    const saved = await api<{ channel: Channel }>(server.url, "GET", `/api/channels/${channel}`);
    expect(saved.body.channel.settings.blockedTerms).toEqual([{ term, action: "hold" }]);

    // The viewer's message with it is held: the box empties and says it is under review.
    await expect.poll(() => v.page.getByTestId("connection").getAttribute("data-state")).toBe("live");
    const text = "you absolute frobnicator";
    const input = v.page.getByTestId("message-input");
    await input.fill(text);
    const answer = v.page.waitForResponse((r) => r.url().endsWith(`/api/channels/${channel}/messages`));
    await input.press("Enter");
    expect((await answer).status()).toBe(202);
    const notice = v.page.getByTestId("send-status");
    await expect.poll(() => notice.textContent()).toContain("being reviewed by the moderators");
    expect(await notice.getAttribute("role")).toBe("status");
    expect(await input.inputValue()).toBe("");

    // The owner's Held tab gets it live, with the reason, and the drawer button counts it.
    await panel.getByTestId("mod-tab-button-held").click();
    const item = panel.getByTestId("held-item");
    await item.waitFor({ timeout: 10_000 });
    expect(await item.getAttribute("data-author")).toBe(viewer.user.username);
    expect(await item.locator('[data-part="held-text"]').textContent()).toBe(text);
    expect(await item.locator("[data-reason]").getAttribute("data-reason")).toBe("blocked_term");
    expect(await o.page.getByTestId("held-count").textContent()).toMatch(/^1\b/);
    expect(await v.page.getByTestId("held-count").count()).toBe(0);
    await shot(o.page, "moderator-held");
    await item.getByRole("button", { name: /^Approve/ }).click();
    await item.waitFor({ state: "detached" });
    await o.page.getByTestId("held-count").waitFor({ state: "detached" });

    // Approved: it appears in the viewer's chat, and the notice has gone.
    await v.page.locator('[data-row="message"] bdi[data-part="text"]', { hasText: text }).waitFor({ timeout: 10_000 });
    await notice.waitFor({ state: "detached" });
    const queue = await api<{ held: unknown[] }>(server.url, "GET", `/api/channels/${channel}/held`, {
      token: owner.token,
    });
    expect(queue.body.held).toEqual([]);
    expect([...o.errors, ...v.errors]).toEqual([]);
    await close(o, v);
  });

  it("a moderator turns slow mode on in the settings; a viewer's second message counts down, text kept", async () => {
    const channel = await createChannel(server.url, admin, "slow");
    const mod = await withRole(channel, "mod", "moderator");
    const viewer = await register(server.url, "viewer");
    const m = await openAs(mod, channelUrl(channel));
    const v = await openAs(viewer, channelUrl(channel));
    await m.page.getByTestId("mod-panel-toggle").click();
    const panel = m.page.getByTestId("mod-panel");
    await panel.getByTestId("mod-tab-button-settings").click();
    // Moderators change the chat modes; the owner's settings are shown but disabled.
    expect(await panel.getByRole("switch", { name: "Guests allowed" }).isDisabled()).toBe(true);
    const slow = panel.getByRole("switch", { name: "Slow mode" });
    expect(await slow.getAttribute("aria-checked")).toBe("false");
    await slow.click();
    await expect.poll(() => slow.getAttribute("aria-checked")).toBe("true");
    await panel.getByTestId("setting-slowModeSec").fill("20");
    await panel.getByTestId("setting-slowModeSec").press("Enter");
    await expect
      .poll(async () => (await api<{ channel: Channel }>(server.url, "GET", `/api/channels/${channel}`)).body)
      .toMatchObject({ channel: { settings: { slowModeSec: 20 } } });
    await expect.poll(() => panel.getByTestId("settings-status").textContent()).toBe("Saved.");

    // The viewer's page names the mode (from channel_updated), then refuses the second message.
    await expect.poll(() => v.page.getByTestId("chat-modes").textContent()).toBe("Slow mode 20 s");
    const input = v.page.getByTestId("message-input");
    await input.fill("first!");
    await input.press("Enter");
    await v.page.locator('[data-row="message"] bdi[data-part="text"]', { hasText: "first!" }).waitFor();
    const second = "and a second one";
    await input.fill(second);
    await input.press("Enter");
    const status = v.page.getByTestId("send-status");
    await expect.poll(() => status.textContent()).toMatch(/^Slow mode is on\. Try again in (1\d|20) s\.$/);
    expect(await status.getAttribute("role")).toBe("alert");
    expect(await input.inputValue()).toBe(second);
    expect(await v.page.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
    // It counts down.
    const seconds = async () => Number((await status.textContent())?.match(/in (\d+) s/)?.[1]);
    const before = await seconds();
    await expect.poll(seconds, { timeout: 4_000 }).toBeLessThan(before);
    await shot(v.page, "viewer-slow-mode");
    expect([...m.errors, ...v.errors]).toEqual([]);
    await close(m, v);
  });

  it("shield mode: one switch applies the preset, and off restores the earlier settings", async () => {
    const channel = await createChannel(server.url, admin, "shield");
    const mod = await withRole(channel, "mod", "moderator");
    const before = { slowModeSec: 2, followersOnlyMin: null, guestsAllowed: true, autoModLevel: 1 };
    const patched = await api(server.url, "PATCH", `/api/channels/${channel}`, {
      token: admin.token,
      body: { settings: before },
    });
    expect(patched.status).toBe(200);
    const settings = async () =>
      (await api<{ channel: Channel }>(server.url, "GET", `/api/channels/${channel}`)).body.channel.settings;
    const m = await openAs(mod, channelUrl(channel));
    await m.page.getByTestId("mod-panel-toggle").click();
    const panel = m.page.getByTestId("mod-panel");
    await panel.getByTestId("mod-tab-button-settings").click();
    const shield = panel.getByTestId("shield-switch");
    expect(await shield.getAttribute("aria-checked")).toBe("false");

    await shield.click();
    await expect
      .poll(settings)
      .toMatchObject({ shieldMode: true, slowModeSec: 5, followersOnlyMin: 10, guestsAllowed: false, autoModLevel: 4 });
    // The panel shows what shield mode applied.
    await expect.poll(() => shield.getAttribute("aria-checked")).toBe("true");
    await expect.poll(() => panel.getByTestId("setting-slowModeSec").inputValue()).toBe("5");
    await expect.poll(() => panel.getByTestId("setting-followersOnlyMin").inputValue()).toBe("10");
    await shot(m.page, "moderator-shield");

    await shield.click();
    await expect.poll(settings).toMatchObject({ shieldMode: false, ...before });
    await expect.poll(() => panel.getByTestId("setting-slowModeSec").inputValue()).toBe("2");
    expect(await panel.getByTestId("setting-followersOnlyMin").count()).toBe(0);

    // A change made elsewhere appears in the open panel (channel_updated).
    await api(server.url, "PATCH", `/api/channels/${channel}`, {
      token: admin.token,
      body: { settings: { slowModeSec: 45 } },
    });
    await expect.poll(() => panel.getByTestId("setting-slowModeSec").inputValue()).toBe("45");
    expect(m.errors).toEqual([]);
    await close(m);
  });

  it("moderators see first-time chatters, filter to them, and monitor or restrict a user from the card", async () => {
    const channel = await createChannel(server.url, admin, "suspect");
    const mod = await withRole(channel, "mod", "moderator");
    const viewer = await register(server.url, "viewer");
    const name = viewer.user.username;
    const regular = await post(admin, channel, "welcome in");
    const first = await post(viewer, channel, "hi, first time here");
    expect(first.firstMessage).toBe(true);
    const again = await post(viewer, channel, "second message");
    const m = await openAs(mod, channelUrl(channel));
    const { page } = m;
    await row(page, again.seq).waitFor();
    await expect.poll(() => row(page, first.seq).getAttribute("data-first")).toBe("");
    expect(await row(page, again.seq).getAttribute("data-first")).toBeNull();
    await page.getByTestId("first-time-filter").click();
    // The admin's welcome is their first message here too.
    const firsts = [regular, first, again].filter((msg) => msg.firstMessage).map((msg) => msg.seq);
    expect(firsts).toEqual([regular.seq, first.seq]);
    await expect.poll(() => renderedRows(page)).toEqual(firsts);
    await page.getByTestId("first-time-filter").click();
    await expect.poll(() => renderedRows(page)).toEqual([regular.seq, first.seq, again.seq]);

    // Monitor from the card: the user's messages get the eye.
    await row(page, again.seq).locator('[data-part="name-button"]').click();
    const card = page.getByTestId("user-card");
    await card.getByRole("button", { name: "Monitor" }).click();
    await expect.poll(() => card.getByTestId("user-card-status").getAttribute("data-status")).toBe("monitored");
    await expect.poll(() => row(page, again.seq).getAttribute("data-status")).toBe("monitored");
    expect(await row(page, again.seq).locator('[data-part="status"]').getAttribute("aria-label")).toBe(
      "Monitored user",
    );
    // Restricted: the next message waits in the queue, with the reason.
    await card.getByRole("button", { name: "Restrict" }).click();
    await expect.poll(() => card.getByTestId("user-card-status").getAttribute("data-status")).toBe("restricted");
    const marks = await api<{ users: Array<{ username: string; status: string; by: string }> }>(
      server.url,
      "GET",
      `/api/channels/${channel}/suspicious`,
      { token: mod.token },
    );
    expect(marks.body.users).toMatchObject([{ username: name, status: "restricted", by: mod.user.username }]);
    await page.keyboard.press("Escape");
    const held = await postMessage(server.url, viewer, channel, "can you see me?");
    expect(held.status).toBe(202);
    await expect.poll(() => page.getByTestId("held-count").textContent()).toMatch(/^1\b/);
    await page.getByTestId("mod-panel-toggle").click();
    const item = page.getByTestId("mod-panel").getByTestId("held-item");
    await item.waitFor();
    expect(await item.locator("[data-reason]").getAttribute("data-reason")).toBe("restricted");
    await item.getByRole("button", { name: /^Deny/ }).click();
    await item.waitFor({ state: "detached" });

    // Cleared from the Users tab.
    await page.getByTestId("mod-tab-button-users").click();
    const entry = page.locator(`[data-testid="suspicious-list"] li[data-username="${name}"]`);
    expect(await entry.getAttribute("data-status")).toBe("restricted");
    await entry.getByRole("button", { name: "Clear" }).click();
    await entry.waitFor({ state: "detached" });
    await expect.poll(() => row(page, again.seq).getAttribute("data-status")).toBeNull();
    expect(m.errors).toEqual([]);
    await close(m);
  });

  it("shows a timed-out viewer the banner on page load, before any send", async () => {
    const channel = await createChannel(server.url, admin, "standing");
    const viewer = await register(server.url, "viewer");
    const timedOut = await api(server.url, "POST", `/api/channels/${channel}/bans`, {
      token: admin.token,
      body: { username: viewer.user.username, durationSec: 300, reason: "cool off" },
    });
    expect(timedOut.status).toBe(201);
    const v = await openAs(viewer, channelUrl(channel));
    const banner = v.page.getByTestId("sanction-banner");
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.getAttribute("data-kind")).toBe("timeout");
    expect(await banner.textContent()).toContain("cool off");
    expect(v.errors).toEqual([]);
    await close(v);
  });

  it("falls back to the bans probe on a server without GET /me", async () => {
    const channel = await createChannel(server.url, admin, "nome");
    const mod = await withRole(channel, "mod", "moderator");
    const probes: string[] = [];
    const m = await openAs(mod, channelUrl(channel), {}, (page) => {
      void page.route(`**/api/channels/${channel}/me`, (route) =>
        route.fulfill({
          status: 404,
          contentType: "application/json",
          body: JSON.stringify({ error: { code: "not_found", message: "no such route" } }),
        }),
      );
      page.on("response", (r) => {
        if (r.url().endsWith(`/api/channels/${channel}/bans`)) probes.push(`bans ${r.status()}`);
      });
    });
    await m.page.getByTestId("mod-panel-toggle").waitFor();
    expect(probes[0]).toBe("bans 200");
    expect(m.errors).toEqual([]);
    await close(m);
  });

  it("under chat delay, a message deleted in time never shows to a viewer, not even as an empty row", async () => {
    const channel = await createChannel(server.url, admin, "delay");
    const patched = await api(server.url, "PATCH", `/api/channels/${channel}`, {
      token: admin.token,
      body: { settings: { chatDelaySec: 2 } },
    });
    expect(patched.status).toBe(200);
    // The placeholders that reach the page (seqs of `deleted` messages), to know the case is exercised.
    const placeholders: number[] = [];
    const v = await open(channelUrl(channel), {}, (page) =>
      page.routeWebSocket(/\/api\/ws$/, (ws) => {
        const upstream = ws.connectToServer();
        upstream.onMessage((message) => {
          for (const frame of JSON.parse(String(message)) as ServerFrame[]) {
            if (frame.op === "event" && frame.type === "message" && frame.data.deleted) placeholders.push(frame.seq);
          }
          ws.send(message);
        });
      }),
    );
    await expect.poll(() => v.page.getByTestId("connection").getAttribute("data-state")).toBe("live");
    // "live" on the page can come before the server has the subscription: a first message seen
    // through the (delayed) live stream proves the viewer is subscribed, so what follows is live
    // too (a message missed before the subscribe would come from history, as a gap, instead).
    const first = await post(admin, channel, "the stream has started");
    await row(v.page, first.seq).waitFor({ timeout: 10_000 });
    const doomed = await post(admin, channel, "this one goes");
    const removed = await api(server.url, "DELETE", `/api/channels/${channel}/messages/${doomed.id}`, {
      token: admin.token,
    });
    expect(removed.status).toBe(204);
    const kept = await post(admin, channel, "this one stays");
    await row(v.page, kept.seq).waitFor({ timeout: 10_000 });
    expect(placeholders).toEqual([doomed.seq]);
    expect(await renderedRows(v.page)).toEqual([first.seq, kept.seq]);
    expect(await v.page.locator('[data-row="message"]').count()).toBe(2);
    expect(v.errors).toEqual([]);
    await close(v);
  });

  // ---- the streamer's tools ---------------------------------------------------------------

  it("streamer dashboard: an ingest key's secret is shown once; the simulator's Twitch message reaches the chat; a burst is counted", async () => {
    const owner = await register(server.url, "streamer");
    const channel = await createChannel(server.url, owner, "dash");
    const o = await openAs(owner, channelUrl(channel));
    await o.page.getByTestId("dashboard-link").click();
    await o.page.getByTestId("dashboard").waitFor();
    expect(o.page.url()).toBe(`${channelUrl(channel)}/dashboard`);

    // A Kick connector (passive: Kick pushes webhooks), with where to point them; then removed.
    const connectors = o.page.getByTestId("connectors");
    await connectors.getByLabel("Platform").selectOption("kick");
    expect(await connectors.textContent()).toContain(`${server.url}/api/webhooks/kick`);
    await connectors.getByLabel("Kick channel slug").fill("some_kick_streamer");
    await connectors.getByRole("button", { name: "Connect" }).click();
    const kick = connectors.locator('[data-platform="kick"]');
    await kick.waitFor();
    expect(await kick.textContent()).toContain("some_kick_streamer");
    expect(await kick.locator('[data-part="state"]').textContent()).toMatch(/^(connecting|connected|stopped)$/);
    await kick.getByRole("button", { name: "Remove the kick connector" }).click();
    await kick.waitFor({ state: "detached" });

    // Create a key: the secret once, with the warning; then listed without it.
    const keys = o.page.getByTestId("ingest-keys");
    await keys.getByLabel("Label").fill("obs bot");
    await keys.getByRole("button", { name: "Create key" }).click();
    const secretBox = o.page.getByTestId("new-secret");
    await secretBox.waitFor();
    expect(await secretBox.textContent()).toContain("you won't see it again");
    const secret = (await secretBox.locator('[data-part="secret"]').textContent()) ?? "";
    expect(secret).toMatch(/^chorus_ik_/);
    await expect.poll(() => o.page.getByTestId("key-list").textContent()).toContain("obs bot");
    expect(await o.page.getByTestId("key-list").textContent()).not.toContain(secret);
    await secretBox.getByRole("button", { name: "I have stored it" }).click();
    await secretBox.waitFor({ state: "detached" });
    expect(await o.page.content()).not.toContain(secret);

    // The simulator: a Twitch subscriber's message through the ingest path, seen by a viewer.
    const sim = o.page.getByTestId("simulator");
    await sim.getByLabel("Username").fill("sim_twitch");
    await sim.getByLabel("SUB").check();
    const text = `hello from twitch ${Date.now()}`;
    await sim.getByLabel("Simulated message").fill(text);
    await sim.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => sim.getByTestId("sim-result").textContent()).toContain("published");
    const v = await open(channelUrl(channel));
    // The audience counts the viewer's connection too (the dashboard holds one itself).
    await expect
      .poll(async () => Number(await o.page.getByTestId("audience-viewers").textContent()), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(2);
    const bridged = v.page.locator('[data-row="message"]', { hasText: text });
    await bridged.waitFor();
    expect(await bridged.getByRole("img", { name: "from twitch" }).count()).toBe(1);
    expect(await bridged.getByRole("img", { name: "Subscriber (6 months)" }).count()).toBe(1);

    // A burst of 20: every item answered, all published.
    await sim.getByLabel("Messages / s").fill("20");
    await sim.getByLabel("Seconds").fill("1");
    await sim.getByRole("button", { name: "Burst" }).click();
    const counts = sim.getByTestId("burst-counts");
    await expect.poll(() => counts.locator('[data-count="published"]').textContent(), { timeout: 10_000 }).toBe("20");
    expect(await counts.locator('[data-count="rejected"]').textContent()).toBe("0");
    // The simulator made its own key. Revoked (with a confirmation), it is replaced on the next send.
    await o.page.reload();
    const simKey = o.page.locator("[data-key]", { hasText: "simulator" });
    await simKey.waitFor();
    await shot(o.page, "dashboard");
    await simKey.getByRole("button", { name: /^Revoke key/ }).click();
    await simKey.getByRole("button", { name: "Revoke for good" }).click();
    await simKey.waitFor({ state: "detached" });
    await sim.getByLabel("Simulated message").fill("still here after a revoke");
    await sim.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => sim.getByTestId("sim-result").textContent()).toContain("published");
    await v.page.locator('[data-row="message"]', { hasText: "still here after a revoke" }).waitFor();

    // Platform emotes: https images with their name as alt text; an http one stays text. Badges
    // without an icon of ours are chips with their meaning.
    const ingested = await api(server.url, "POST", `/api/channels/${channel}/ingest/youtube`, {
      headers: { authorization: `Bearer ${secret}` },
      body: {
        externalId: `emotes-${Date.now()}`,
        username: "yt_fan",
        badges: ["member/3", "verified"],
        text: "hi Kappa and PogChamp",
        emotes: [
          { name: "Kappa", start: 3, end: 7, url: "https://static-cdn.jtvnw.net/emoticons/v2/25/default/dark/1.0" },
          { name: "PogChamp", start: 13, end: 20, url: "http://insecure.example/pog.png" },
        ],
      },
    });
    expect(ingested.status).toBe(200);
    const emoteRow = v.page.locator('[data-row="message"]', { hasText: "yt_fan" });
    await emoteRow.waitFor();
    const images = emoteRow.locator("img");
    expect(await images.count()).toBe(1);
    expect(await images.first().getAttribute("alt")).toBe("Kappa");
    expect(await images.first().getAttribute("src")).toMatch(/^https:/);
    expect(await emoteRow.textContent()).toContain("PogChamp");
    expect(await emoteRow.getByRole("img", { name: "from youtube" }).count()).toBe(1);
    expect(await emoteRow.getByRole("img", { name: "Member (3 months)" }).count()).toBe(1);
    expect(await emoteRow.getByRole("img", { name: "Verified" }).count()).toBe(1);
    expect([...o.errors, ...v.errors]).toEqual([]);
    await close(o, v);
  });

  it("a past broadcast: listed with its count; transcript with a deleted placeholder, search, a 4× replay, exports", async () => {
    const owner = await register(server.url, "streamer");
    const channel = await createChannel(server.url, owner, "replay");
    const o = await openAs(owner, `${channelUrl(channel)}/dashboard`);
    await o.page.getByTestId("dashboard").waitFor();
    await o.page.getByRole("button", { name: "Go live" }).click();
    await o.page.getByRole("button", { name: "End stream" }).waitFor();

    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await post(owner, channel, "first line");
    await pause(700);
    await post(owner, channel, "second line");
    await pause(700);
    const doomed = await post(owner, channel, "regrettable words");
    await pause(700);
    await post(owner, channel, "fourth line");
    const removed = await api(server.url, "DELETE", `/api/channels/${channel}/messages/${doomed.id}`, {
      token: owner.token,
    });
    expect(removed.status).toBe(204);
    await o.page.getByRole("button", { name: "End stream" }).click();
    await o.page.getByRole("button", { name: "Go live" }).waitFor();

    // Listed with the count of what remains (deleted messages are not counted).
    const item = o.page.locator("[data-broadcast]").first();
    await expect.poll(() => item.locator('[data-part="count"]').textContent()).toBe("3");
    await item.getByRole("link").first().click();
    await o.page.getByTestId("transcript-page").waitFor();

    const rows = o.page.locator('[data-testid="transcript"] [data-row="transcript"]');
    await expect.poll(() => rows.count()).toBe(4);
    const placeholder = rows.locator("[data-part=deleted]");
    expect(await placeholder.count()).toBe(1);
    expect(await placeholder.textContent()).toBe("message deleted");
    expect(await o.page.getByTestId("transcript").textContent()).not.toContain("regrettable");

    await o.page.getByLabel("Search the transcript").fill("SECOND");
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("second line");
    await o.page.getByLabel("Search the transcript").fill("");
    await expect.poll(() => rows.count()).toBe(4);

    // Replay at 4×: the shown count climbs over time to all four.
    const replay = o.page.getByTestId("replay-chat");
    expect(await replay.getAttribute("data-shown")).toBe("0");
    await o.page.getByRole("button", { name: "4×" }).click();
    await o.page.getByRole("button", { name: "Play" }).click();
    const seen: number[] = [];
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      const n = Number(await replay.getAttribute("data-shown"));
      if (seen.at(-1) !== n) seen.push(n);
      if (n === 4) break;
      await pause(40);
    }
    expect(seen.at(-1)).toBe(4);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(await replay.locator("[data-part=deleted]").count()).toBe(1);
    await shot(o.page, "transcript-replay");

    for (const [testId, type] of [
      ["export-json", "application/json"],
      ["export-csv", "text/csv"],
    ] as const) {
      const href = (await o.page.getByTestId(testId).getAttribute("href")) ?? "";
      const res = await fetch(href);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain(type);
      const body = await res.text();
      expect(body).toContain("second line");
      expect(body).not.toContain("regrettable");
    }
    expect(o.errors).toEqual([]);
    await close(o);
  });

  it("keeps up with 1,000 messages/s for 10 s: no long task, 60 fps, bounded DOM and memory", {
    timeout: 90_000,
  }, async () => {
    const RATE = 1_000;
    const SECONDS = 10;
    const TOTAL = RATE * SECONDS;
    const channel = await createChannel(server.url, admin, "flood");
    // A summary every 1,000 messages (one a second here), not every 20: at this rate the
    // default would be 50 summary events a second, which no channel this busy would keep.
    const tuned = await api(server.url, "PATCH", `/api/channels/${channel}`, {
      token: admin.token,
      body: { settings: { summaryEvery: 1000, summaryWindow: 100 } },
    });
    expect(tuned.status).toBe(200);
    const o = await open(channelUrl(channel));
    const { page } = o;
    await expect.poll(() => page.getByTestId("connection").getAttribute("data-state")).toBe("live");
    const cdp = await o.context.newCDPSession(page);
    const heap = async (): Promise<number> => {
      await cdp.send("HeapProfiler.collectGarbage");
      return (await cdp.send("Runtime.getHeapUsage")).usedSize;
    };
    // A chat page normally opens on history: show some messages first, so the measured window
    // is the flood itself and not the page's first-ever row render (on a cold page that once
    // showed as a single ~100 ms task in CI, before the flood's first batch).
    // Some of it as a burst, as the flood arrives: the page's first large batch (rows trimmed
    // off the top, the list re-measured) is warm-up too, not the flood's first second.
    // And then a second of the flood itself: the page's first second at this rate (its code
    // paths compiled, the list's first trims, a first garbage collection) showed as one
    // 50–55 ms task in some runs, with or without the server's analysis; what is measured is
    // the ten seconds after.
    const warmup = new ChorusClient({ baseUrl: server.url, token: admin.token });
    let warmLast: Message | undefined;
    for (let i = 0; i < 30; i++) warmLast = await warmup.send(channel, `warm-up ${i}`);
    const burst = await Promise.all(Array.from({ length: 200 }, (_, i) => warmup.send(channel, `warm-up burst ${i}`)));
    warmLast = burst.reduce<Message | undefined>((a, m) => (a === undefined || m.seq > a.seq ? m : a), warmLast);
    if (warmLast) await row(page, warmLast.seq).waitFor({ timeout: 10_000 });
    // The heap is measured (after a forced full collection) before the flood's warm-up second,
    // not right before the measured ten: a page coming out of a forced collection showed a
    // 50 ms task in its first flood batch.
    const heapBefore = await heap();
    await warmup.connect();
    const warmFlood: Array<Promise<Message>> = [];
    const warmStart = performance.now();
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const due = Math.min(RATE, Math.floor(((performance.now() - warmStart) * RATE) / 1000));
        while (warmFlood.length < due) warmFlood.push(warmup.send(channel, `warm-up flood ${warmFlood.length + 1}`));
        if (warmFlood.length < RATE) setTimeout(tick, 4);
        else resolve();
      };
      tick();
    });
    warmLast = (await Promise.all(warmFlood)).at(-1) ?? warmLast;
    warmup.close();
    if (warmLast) await row(page, warmLast.seq).waitFor({ timeout: 10_000 });
    await page.evaluate(() => {
      const durations: string[] = [];
      const t0 = performance.now();
      Object.assign(window, { __longTasks: durations });
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries())
          durations.push(`${Math.round(entry.duration)}@${Math.round(entry.startTime - t0)}`);
      }).observe({ type: "longtask" });
      // Frame rate: the time between consecutive animation frames, from here until the test
      // reads them (after the last message is shown). A page that keeps up paints every
      // vsync: headless Chromium without a GPU still drives rAF from a 60 Hz begin-frame
      // source, so a healthy page shows ~16.7 ms intervals; one that falls behind shows
      // frames stretched by its rendering work.
      const intervals: number[] = [];
      let previous: number | undefined;
      const frame = (time: number): void => {
        if (previous !== undefined) intervals.push(time - previous);
        previous = time;
        if (window["__frameIntervals"] === intervals) requestAnimationFrame(frame);
      };
      Object.assign(window, { __frameIntervals: intervals });
      requestAnimationFrame(frame);
    });

    const publisher = new ChorusClient({ baseUrl: server.url, token: admin.token });
    await publisher.connect();
    const acks: Array<Promise<Message>> = [];
    const domRows: number[] = [];
    const sampler = setInterval(() => {
      void page
        .evaluate(() => document.querySelectorAll('[data-testid="chat-list"] [data-row]').length)
        .then(
          (n) => domRows.push(n),
          () => undefined,
        );
    }, 500);
    const start = performance.now();
    let lastSentAt = 0;
    let sentEnd = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const due = Math.min(TOTAL, Math.floor(((performance.now() - start) * RATE) / 1000));
        while (acks.length < due) acks.push(publisher.send(channel, `flood ${acks.length + 1} ${"x".repeat(40)}`));
        if (acks.length < TOTAL) setTimeout(tick, 4);
        else {
          lastSentAt = Date.now();
          sentEnd = performance.now();
          resolve();
        }
      };
      tick();
    });
    const messages = await Promise.all(acks);
    const ackedAfter = Date.now() - lastSentAt;
    const last = messages.at(-1);
    if (!last) throw new Error("nothing was sent");
    await row(page, last.seq).waitFor({ timeout: 10_000 });
    const shownAfter = Date.now() - lastSentAt;
    clearInterval(sampler);
    publisher.close();
    const longTasks = await page.evaluate(() => window["__longTasks"] as string[]);
    const frames = await page.evaluate(() => {
      const intervals = window["__frameIntervals"] as number[];
      window["__frameIntervals"] = undefined;
      return intervals;
    });
    const heapAfter = await heap();
    const rendered = (await renderedRows(page)).filter((r): r is number => typeof r === "number");
    const fps = frameStats(frames);
    await shot(page, "flood");
    console.info(
      `flood: ${TOTAL} messages in ${((sentEnd - start) / 1000).toFixed(1)} s; last acked ${ackedAfter} ms and shown ${shownAfter} ms after it was sent; ` +
        `long tasks ${JSON.stringify(longTasks)}; DOM rows max ${Math.max(...domRows)}; heap ${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB; ` +
        `frames ${fps.count} in ${(fps.totalMs / 1000).toFixed(1)} s = ${fps.average.toFixed(1)} fps, interval median ${fps.median.toFixed(1)} ms, ` +
        `p95 ${fps.p95.toFixed(1)} ms, max ${fps.max.toFixed(1)} ms, ${fps.over50} over 50 ms`,
    );

    expect(new Set(messages.map((m) => m.seq)).size).toBe(TOTAL);
    expect(shownAfter).toBeLessThan(1_000);
    expect(longTasks).toEqual([]);
    // 60 fps while the flood lasts: the typical frame takes one vsync (16.7 ms; 20 ms leaves
    // room for timer jitter on a loaded machine, while a page that renders each message
    // batch in a frame of its own work sits far above it), and hardly any frame is dropped
    // long enough to see (> 50 ms, three vsyncs).
    expect(fps.totalMs).toBeGreaterThan(SECONDS * 1000 * 0.8);
    expect(fps.median).toBeLessThanOrEqual(20);
    expect(fps.over50).toBeLessThanOrEqual(Math.ceil(fps.count * 0.02));
    // The list renders a window of rows, not the 10,000 messages…
    expect(domRows.length).toBeGreaterThan(5);
    expect(Math.max(...domRows)).toBeLessThan(150);
    // …the newest at the bottom, none missing (the log's seqs have gaps where a `summary`
    // event, not a chat row, took one: compare with the messages' own seqs)…
    expect(rendered.at(-1)).toBe(last.seq);
    const sentSeqs = messages.map((m) => m.seq).sort((a, b) => a - b);
    expect(rendered).toEqual(sentSeqs.slice(-rendered.length));
    // …and keeps a bounded feed: here the heap grows by about 1 MB, while a feed that kept all
    // 10,000 messages grew it by about 5.5 MB (measured with the cap lifted).
    expect(heapAfter - heapBefore).toBeLessThan(3_000_000);
    expect(o.errors).toEqual([]);
    await close(o);
  });

  // ---- live analysis ------------------------------------------------------------------------

  describe("live analysis", () => {
    type SummaryEntry = { seq: number; at: number; text: string; fromSeq: number; toSeq: number };
    const summariesOf = async (channel: string): Promise<SummaryEntry[]> =>
      (await api<{ summaries: SummaryEntry[] }>(server.url, "GET", `/api/channels/${channel}/summaries?limit=10`)).body
        .summaries ?? [];
    const settingsOf = async (channel: string) =>
      (await api<{ channel: Channel }>(server.url, "GET", `/api/channels/${channel}`)).body.channel.settings;
    /** Console errors (a Content-Security-Policy violation is one) of the page `opened` is about to load. */
    const consoleErrors = (into: string[]) => (page: Page) => {
      page.on("console", (m) => {
        if (m.type() === "error") into.push(m.text());
      });
    };

    it("the owner's dashboard: charts grow with each stats event, a summary every summaryEvery messages, the questions queue, the settings", {
      timeout: 90_000,
    }, async () => {
      const owner = await register(server.url, "analyst");
      const fan = await register(server.url, "fan");
      const channel = await createChannel(server.url, owner, "mood");
      const logged: string[] = [];
      const o = await openAs(owner, `${channelUrl(channel)}/dashboard`, {}, consoleErrors(logged));
      const { page } = o;
      const analysis = page.getByTestId("live-analysis");
      await analysis.waitFor();

      // The owner asks for a summary every 5 messages and tells the analyser how PogChamp feels.
      await analysis.getByText("Analysis settings").click();
      const every = page.getByTestId("setting-summaryEvery");
      await every.fill("5");
      await every.press("Enter");
      await expect.poll(async () => (await settingsOf(channel)).summaryEvery).toBe(5);
      const emotes = page.getByTestId("sentiment-emotes");
      await emotes.getByLabel("Emote", { exact: true }).fill("PogChamp");
      await emotes.getByLabel("Feeling", { exact: true }).fill("5");
      await emotes.getByRole("button", { name: "Add" }).click();
      await expect.poll(async () => (await settingsOf(channel)).sentimentEmotes).toEqual({ PogChamp: 5 });
      await emotes.locator('[data-emote="PogChamp"]').waitFor();
      expect(await emotes.locator('[data-emote="PogChamp"] [data-part="polarity"]').textContent()).toBe("+5");
      await emotes.getByLabel("Feeling", { exact: true }).fill("9");
      await emotes.getByLabel("Emote", { exact: true }).fill("Kappa");
      await emotes.getByRole("button", { name: "Add" }).click();
      expect(await emotes.getByRole("alert").textContent()).toContain("-5 to 5");
      expect(await settingsOf(channel).then((s) => s.sentimentEmotes)).toEqual({ PogChamp: 5 });

      // Chat arrives: a uPlot canvas per chart, and each stats event (every 2 s) adds a point.
      const rate = page.getByTestId("chart-rate");
      const points = async (): Promise<number> => Number(await rate.getAttribute("data-points"));
      for (let i = 1; i <= 3; i++) await post(admin, channel, `the chat warms up ${i}`);
      await expect.poll(points, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      for (const chart of ["chart-rate", "chart-sentiment", "chart-audience"])
        expect(await page.getByTestId(chart).locator("canvas").count()).toBeGreaterThan(0);
      const first = await points();
      await expect.poll(points, { timeout: 10_000 }).toBeGreaterThan(first);
      const second = await points();
      await expect.poll(points, { timeout: 10_000 }).toBeGreaterThan(second);
      expect(Number(await page.getByTestId("chart-audience").getAttribute("data-points"))).toBeGreaterThan(second);
      const now = page.getByTestId("analysis-now");
      expect(Number(await now.locator('[data-part="last-minute"]').textContent())).toBeGreaterThanOrEqual(3);
      expect(await rate.getByRole("img").getAttribute("aria-label")).toMatch(/messages in the last minute/);

      // A summary after 5 messages (3 so far), in the feed as soon as its event arrives.
      for (let i = 4; i <= 6; i++) await post(admin, channel, `the boss fight begins, round ${i}`);
      const feed = page.getByTestId("summary-feed");
      await feed.locator("li").first().waitFor({ timeout: 15_000 });
      const [summary] = (await summariesOf(channel)).slice(-1);
      expect(summary?.text.length).toBeGreaterThan(0);
      expect(await feed.locator("li").first().getAttribute("data-seq")).toBe(String(summary?.seq));
      expect(await feed.locator('li [data-part="text"]').first().textContent()).toBe(summary?.text);

      // Questions: open ones queue up; answered or dismissed here, they leave the queue.
      await post(fan, channel, "what game is next?");
      await post(fan, channel, "when does the next stream start?");
      const queue = page.getByTestId("questions");
      await expect.poll(() => queue.locator("li").count(), { timeout: 10_000 }).toBe(2);
      await queue
        .getByRole("button", { name: /^Dismiss/ })
        .first()
        .click();
      await expect.poll(() => queue.locator("li").count()).toBe(1);
      expect(await queue.textContent()).toContain("when does the next stream start?");
      await queue.getByRole("button", { name: /answered$/ }).click();
      await queue.waitFor({ state: "detached" });
      expect(await page.getByTestId("questions-marked").textContent()).toBe("1 answered · 1 dismissed");
      // …and stay gone as more stats arrive.
      const before = await points();
      await post(admin, channel, "one more line");
      await expect.poll(points, { timeout: 10_000 }).toBeGreaterThan(before);
      expect(await queue.count()).toBe(0);
      await shot(page, "dashboard-analysis");

      expect(logged.filter((line) => /Content Security Policy/i.test(line))).toEqual([]);
      expect(o.errors).toEqual([]);
      await close(o);
    });

    it("a viewer: the catch-me-up card shows the latest summary live; sentiment colours mark a positive message in text", {
      timeout: 60_000,
    }, async () => {
      const owner = await register(server.url, "analyst");
      const channel = await createChannel(server.url, owner, "catchup");
      const patched = await api(server.url, "PATCH", `/api/channels/${channel}`, {
        token: owner.token,
        body: { settings: { summaryEvery: 5 } },
      });
      expect(patched.status).toBe(200);
      for (let i = 1; i <= 5; i++) await post(admin, channel, `the raid arrives, wave ${i}`);
      await expect.poll(async () => (await summariesOf(channel)).length, { timeout: 10_000 }).toBeGreaterThan(0);

      const v = await open(channelUrl(channel));
      const { page } = v;
      const card = page.getByTestId("catch-up");
      const toggle = page.getByTestId("catch-up-toggle");
      await toggle.waitFor();
      // Off until the viewer asks for it.
      expect(await toggle.getAttribute("aria-pressed")).toBe("false");
      expect(await card.count()).toBe(0);
      await toggle.click();
      await card.waitFor();
      const latest = (await summariesOf(channel)).at(-1);
      if (latest === undefined) throw new Error("no summary");
      expect(await card.getAttribute("data-seq")).toBe(String(latest.seq));
      expect(await card.locator('[data-part="text"]').textContent()).toBe(latest.text);

      // Live: the next summary replaces it.
      for (let i = 6; i <= 10; i++) await post(admin, channel, `the raid settles in, wave ${i}`);
      await expect
        .poll(async () => Number(await card.getAttribute("data-seq")), { timeout: 15_000 })
        .toBeGreaterThan(latest.seq);
      const newest = (await summariesOf(channel)).at(-1);
      expect(await card.getAttribute("data-seq")).toBe(String(newest?.seq));
      await card.getByRole("button", { name: "Close the summary" }).click();
      await card.waitFor({ state: "detached" });
      // The choice is remembered: after a reload the card is on, with the latest summary.
      await page.reload();
      await card.waitFor();
      expect(await toggle.getAttribute("aria-pressed")).toBe("true");

      // Sentiment colours: off by default; on, a positive message says so in a marker's text too.
      const positive = await post(admin, channel, "PogChamp this is amazing");
      expect(positive.sentiment?.label).toBe("positive");
      const message = row(page, positive.seq);
      await message.waitFor();
      expect(await message.getAttribute("data-sentiment")).toBeNull();
      const colours = page.getByTestId("sentiment-toggle");
      expect(await colours.getAttribute("aria-pressed")).toBe("false");
      await colours.click();
      await expect.poll(() => message.getAttribute("data-sentiment")).toBe("positive");
      const marker = message.getByRole("img", { name: "Positive message" });
      expect(await marker.count()).toBe(1);
      expect(await marker.getAttribute("title")).toBe("Positive message");
      await shot(page, "channel-analysis");
      await colours.click();
      await expect.poll(() => message.getAttribute("data-sentiment")).toBeNull();
      expect(await marker.count()).toBe(0);
      expect(v.errors).toEqual([]);
      await close(v);
    });
  });
});
