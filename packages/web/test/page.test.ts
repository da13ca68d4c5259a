/**
 * The served web page in a real browser (Debian's chromium through playwright-core): the
 * server serves the built UI with its Content-Security-Policy, a guest joins and sends in one
 * page and another page sees the message live.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/harness.js";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const hasBrowser = existsSync(CHROMIUM);
if (!hasBrowser)
  console.warn(`\n!!! ${CHROMIUM} not found: browser tests are SKIPPED (apt-get install chromium) !!!\n`);

const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

describe.skipIf(!hasBrowser)("web page in Chromium", () => {
  let outDir: string;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), "chorus-web-"));
    await build({ root: webRoot, logLevel: "silent", build: { outDir, emptyOutDir: true } });
    server = await startTestServer({ webDistDir: outDir });
    browser = await chromium.launch({
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
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it("serves the page with a Content-Security-Policy", async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await res.text()).toContain('id="messages"');
  });

  it("delivers a guest's message to another open page", async () => {
    const reader = await browser.newPage();
    const writer = await browser.newPage();
    const errors: string[] = [];
    for (const page of [reader, writer]) page.on("pageerror", (e) => errors.push(e.message));
    await reader.goto(server.url);
    await writer.goto(server.url);
    await expect.poll(() => reader.textContent("#state")).toBe("open");
    await writer.fill("#name", "page_writer");
    await writer.click("#join button");
    await writer.waitForSelector("#send:not([hidden])");
    const text = `hello from the browser ${Date.now()}`;
    await writer.fill("#text", text);
    await writer.press("#text", "Enter");
    await reader.waitForSelector(`#messages li:has-text("${text}")`, { timeout: 10_000 });
    expect(await reader.textContent("#messages li:last-child .name")).toBe("page_writer");
    // The writer's box is emptied only once the server acknowledged.
    await expect.poll(() => writer.inputValue("#text")).toBe("");
    expect(errors).toEqual([]);
  });
});
