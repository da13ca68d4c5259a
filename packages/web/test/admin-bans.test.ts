/**
 * The admins' "Site bans" page in a real Chromium against a real server: an admin logs in on
 * the page, follows the header link, bans an account by name with a reason and sees it listed;
 * the banned account is refused through the API and its open page says it is banned; the
 * admin lifts the ban and the list empties; an address the server refuses shows the server's
 * own words; and anyone who is not an admin is told the page is for admins.
 */
import { rm } from "node:fs/promises";
import type { SiteBan } from "@chorus/protocol";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, TEST_ADMIN, type TestServer } from "../../server/test/harness.js";
import { api, loginAdmin, register, type Session, uniqueName } from "../../server/test/helpers.js";
import { buildWebApp, hasBrowser, launchChromium } from "./browser-harness.js";

const DAY_MS = 86_400_000;

describe.skipIf(!hasBrowser)("site bans page in Chromium", () => {
  let outDir: string;
  let server: TestServer;
  let browser: Browser;
  let admin: Session;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    outDir = await buildWebApp("chorus-admin-bans-");
    server = await startTestServer({ webDistDir: outDir });
    browser = await launchChromium();
    admin = await loginAdmin(server.url);
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.dispose();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  /** A fresh browser context (signed in with `session`'s cookie if given) with `path` open. */
  async function open(path: string, session?: Session): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    if (session) {
      const [name = "", value = ""] = session.cookie.split("=", 2);
      await context.addCookies([{ name, value, url: server.url }]);
    }
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}${path}`);
    return page;
  }

  async function activeBans(): Promise<SiteBan[]> {
    const res = await api<{ bans: SiteBan[] }>(server.url, "GET", "/api/admin/bans", { token: admin.token });
    expect(res.status).toBe(200);
    return res.body.bans;
  }

  /** What the server itself says to this ban request (the page must show the same words). */
  async function refusal(body: object): Promise<{ status: number; message: string }> {
    const res = await api(server.url, "POST", "/api/admin/bans", { token: admin.token, body });
    return { status: res.status, message: res.body.error?.message ?? "" };
  }

  const text = async (page: Page, selector: string): Promise<string> =>
    ((await page.locator(selector).first().textContent()) ?? "").replace(/\s+/g, " ").trim();

  it("an admin bans an account with a reason, the account is refused everywhere, and the ban is lifted", async () => {
    const victim = await register(server.url, "victim");
    expect((await api(server.url, "GET", "/api/me", { token: victim.token })).status).toBe(200);
    // The victim has the app open before the ban: the page must notice the ban by itself.
    const victimPage = await open("/c/main", victim);
    await expect.poll(() => text(victimPage, '[data-testid="signed-in-as"]')).toContain(victim.user.username);
    expect(await victimPage.getByTestId("site-ban-notice").count()).toBe(0);

    // The admin logs in on the landing page; the header then offers the admin page.
    const page = await open("/");
    await page.getByLabel("Username").fill(TEST_ADMIN.username);
    await page.getByLabel("Password").fill(TEST_ADMIN.password);
    await page.getByRole("button", { name: "Log in", exact: true }).last().click();
    await expect.poll(() => text(page, '[data-testid="signed-in-as"]')).toContain(TEST_ADMIN.username);
    await page.getByRole("link", { name: "Site bans" }).click();
    await page.getByRole("heading", { name: "Site bans" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/admin/bans");
    await page.getByTestId("site-bans-empty").waitFor();

    // Ban the account by name for 7 days, with a reason that looks like markup.
    const reason = `spam <b>links</b> & <img src=x onerror=alert(1)> ${Date.now()}`;
    await page.getByLabel("Account name").fill(victim.user.username);
    await page.getByLabel("Reason (optional)").fill(reason);
    await page.getByLabel("Duration").selectOption({ label: "7 days" });
    await page.getByRole("button", { name: "Ban", exact: true }).click();

    const row = page.locator('[data-testid="site-ban-row"]');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await text(page, '[data-testid="site-ban-target"]')).toBe(victim.user.username);
    // The reason is text on the page, not markup.
    expect(await text(page, '[data-testid="site-ban-reason"]')).toBe(reason.replace(/\s+/g, " "));
    expect(await row.locator("b, img").count()).toBe(0);
    expect(await row.getAttribute("data-kind")).toBe("account");
    expect(await text(page, '[data-testid="site-ban-until"]')).not.toContain("until lifted");
    expect(await text(page, '[data-testid="site-ban-status"]')).toContain(`Banned ${victim.user.username} until`);

    // The server holds the same ban, for the 7 days picked.
    const [stored, ...others] = await activeBans();
    expect(others).toEqual([]);
    expect(stored).toMatchObject({ kind: "account", username: victim.user.username, reason, by: TEST_ADMIN.username });
    expect(stored?.until).not.toBeNull();
    expect((stored?.until ?? 0) - (stored?.at ?? 0)).toBe(7 * DAY_MS);
    expect(await row.getAttribute("data-ban-id")).toBe(stored?.id);

    // The banned account is refused, with when it ends.
    const me = await api<object>(server.url, "GET", "/api/me", { token: victim.token });
    expect(me.status).toBe(403);
    expect(me.body.error?.code).toBe("banned");
    // Its open page was closed by the server and now says why, with the end of the ban.
    await victimPage.getByTestId("site-ban-notice").waitFor({ timeout: 15_000 });
    const notice = await text(victimPage, '[data-testid="site-ban-notice"]');
    expect(notice).toContain("You are banned from this site until");
    const noticeEnd = await victimPage.locator('[data-testid="site-ban-notice"] time').getAttribute("datetime");
    expect(noticeEnd).toBe(new Date(stored?.until ?? 0).toISOString());
    // And so does a fresh load of any page.
    await victimPage.reload();
    await victimPage.getByTestId("site-ban-notice").waitFor();

    // Lift it: the row goes, the list is empty, on the page and on the server.
    await page.getByRole("button", { name: `Lift the ban on ${victim.user.username}` }).click();
    await page.getByTestId("site-bans-empty").waitFor();
    expect(await row.count()).toBe(0);
    expect(await activeBans()).toEqual([]);
    expect((await api(server.url, "GET", "/api/me", { token: victim.token })).status).toBe(200);
    await victimPage.reload();
    await expect.poll(() => text(victimPage, '[data-testid="signed-in-as"]')).toContain(victim.user.username);
    expect(await victimPage.getByTestId("site-ban-notice").count()).toBe(0);

    // The list the page shows is the server's: after a reload it is still empty.
    await page.reload();
    await page.getByTestId("site-bans-empty").waitFor();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("shows the server's refusal next to the form: a bad range, the admin's own address, an unknown account", async () => {
    const page = await open("/admin/bans", admin);
    await page.getByTestId("site-bans-empty").waitFor();
    const status = page.getByTestId("site-ban-status");

    await page.getByLabel("An address or range", { exact: true }).check();
    const bad = "203.0.113.300/33";
    const badRefusal = await refusal({ cidr: bad });
    expect(badRefusal.status).toBe(400);
    expect(badRefusal.message).not.toBe("");
    await page.getByLabel("Address or range (CIDR)").fill(bad);
    await page.getByRole("button", { name: "Ban", exact: true }).click();
    await status.waitFor();
    expect(await status.getAttribute("role")).toBe("alert");
    expect(await text(page, '[data-testid="site-ban-status"]')).toBe(badRefusal.message);
    // The field points at the error for assistive technology.
    const field = page.getByLabel("Address or range (CIDR)");
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    expect(await field.getAttribute("aria-describedby")).toBe(await status.getAttribute("id"));

    // The browser talks to the server from 127.0.0.1: a range holding it is refused.
    const own = "127.0.0.0/8";
    const ownRefusal = await refusal({ cidr: own });
    expect(ownRefusal.status).toBe(400);
    expect(ownRefusal.message).toContain("your own address");
    await field.fill(own);
    await page.getByRole("button", { name: "Ban", exact: true }).click();
    await expect.poll(() => text(page, '[data-testid="site-ban-status"]')).toBe(ownRefusal.message);

    await page.getByLabel("An account", { exact: true }).check();
    const nobody = uniqueName("nobody");
    expect((await refusal({ username: nobody })).status).toBe(404);
    await page.getByLabel("Account name").fill(nobody);
    await page.getByRole("button", { name: "Ban", exact: true }).click();
    await expect.poll(() => text(page, '[data-testid="site-ban-status"]')).toContain(`no account named “${nobody}”`);

    // Nothing was banned by any of it.
    expect(await page.locator('[data-testid="site-ban-row"]').count()).toBe(0);
    expect(await activeBans()).toEqual([]);

    // A real address ban works from the same form, and is listed as an address.
    await page.getByLabel("An address or range", { exact: true }).check();
    await page.getByLabel("Address or range (CIDR)").fill("198.51.100.7");
    await page.getByLabel("Duration").selectOption({ label: "Until lifted" });
    await page.getByRole("button", { name: "Ban", exact: true }).click();
    const row = page.locator('[data-testid="site-ban-row"]');
    await row.first().waitFor();
    expect(await row.getAttribute("data-kind")).toBe("address");
    expect(await text(page, '[data-testid="site-ban-target"]')).toBe("198.51.100.7/32");
    expect(await text(page, '[data-testid="site-ban-until"]')).toBe("until lifted");
    const [stored] = await activeBans();
    expect(stored).toMatchObject({ kind: "address", cidr: "198.51.100.7/32", until: null });
    await page.getByRole("button", { name: "Lift the ban on 198.51.100.7/32" }).click();
    await page.getByTestId("site-bans-empty").waitFor();
    expect(await activeBans()).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("tells a signed-in non-admin and a signed-out visitor that the page is for admins", async () => {
    const member = await register(server.url, "member");
    const forbidden = await api(server.url, "GET", "/api/admin/bans", { token: member.token });
    expect(forbidden.status).toBe(403);

    const page = await open("/admin/bans", member);
    await page.getByTestId("admins-only").waitFor();
    expect(await text(page, '[data-testid="admins-only"]')).toMatch(/admins only/i);
    await expect.poll(() => text(page, '[data-testid="signed-in-as"]')).toContain(member.user.username);
    expect(await page.getByRole("link", { name: "Site bans" }).count()).toBe(0);
    expect(await page.getByTestId("site-ban-form").count()).toBe(0);
    expect(await page.getByTestId("site-bans").count()).toBe(0);

    const visitor = await open("/admin/bans");
    await visitor.getByTestId("admins-only").waitFor();
    expect(await text(visitor, '[data-testid="admins-only"]')).toMatch(/admins only/i);
    expect(await visitor.getByTestId("site-ban-form").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
