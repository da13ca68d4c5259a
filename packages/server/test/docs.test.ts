/**
 * The documentation is held to the running server: every route Fastify registered is in
 * `/openapi.json` (bar the listed non-API ones), every operation of that document has its
 * section in docs/api.md and every route heading there exists, and the protocol, error codes
 * and metric names the docs describe are the ones the code has. A route added without docs,
 * or docs left behind by a removed route, fails here.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CLIENT_FRAMES, CLOSE_CODES, ERROR_STATUS } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import { WsClient } from "./helpers.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const readDoc = (file: string): string => readFileSync(path.join(repoRoot, file), "utf8");

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

interface OpenApiOperation {
  summary?: string;
  description?: string;
  responses?: Record<string, unknown>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Partial<Record<(typeof HTTP_METHODS)[number], OpenApiOperation>>>;
}

/** `METHOD /path` with Fastify's `:param` spelling, the form docs/api.md uses in its headings. */
const routeKey = (method: string, url: string): string =>
  `${method.toUpperCase()} ${url.replace(/\{([^}]+)\}/g, ":$1")}`;

function documentedOperations(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths).flatMap(([url, item]) =>
    HTTP_METHODS.filter((m) => item[m] !== undefined).map((m) => routeKey(m, url)),
  );
}

/** Route headings of docs/api.md: "### `GET /api/channels/:name`". */
function headingRoutes(markdown: string): string[] {
  return [...markdown.matchAll(/^#{2,4} `(GET|POST|PUT|PATCH|DELETE) (\/[^`\s]*)`\s*$/gm)].map(
    (m) => `${m[1]} ${m[2]}`,
  );
}

/** GitHub's anchors for a Markdown file's headings: lower case, punctuation dropped, spaces to dashes. */
function headingSlugs(file: string): Set<string> {
  const headings = readFileSync(file, "utf8").matchAll(/^#{1,6} (.+)$/gm);
  return new Set(
    [...headings].map(([, title = ""]) =>
      title
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    ),
  );
}

/** A built web UI of two files, so the static routes it adds are registered (and excluded). */
const WEB_FILES = ["index.html", "assets/app.js"];

let server: TestServer;
let webDir: string;
let doc: OpenApiDocument;

describe("against a running server", () => {
  beforeAll(async () => {
    webDir = await mkdtemp(path.join(tmpdir(), "chorus-docs-web-"));
    await mkdir(path.join(webDir, "assets"));
    await writeFile(path.join(webDir, "index.html"), "<!doctype html><title>Chorus</title>");
    await writeFile(path.join(webDir, "assets/app.js"), "export {};");
    server = await startTestServer({ webDistDir: webDir });
    const res = await fetch(`${server.url}/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as OpenApiDocument;
  });

  afterAll(async () => {
    await server?.dispose();
    await rm(webDir, { recursive: true, force: true });
  });

  describe("/openapi.json lists every route the server has", () => {
    /**
     * Not API routes, so not in the document: the Swagger UI that renders it (`/docs` and its
     * assets) and the built web UI's static files.
     */
    const isNonApi = (url: string): boolean =>
      url === "/docs" || url.startsWith("/docs/") || url === "/" || WEB_FILES.some((file) => url === `/${file}`);

    it("every registered route (HEAD twins of GETs aside) is an operation of the document", () => {
      const registered = server.server().routes;
      const gets = new Set(registered.filter((r) => r.method === "GET").map((r) => r.url));
      const api = registered.filter((r) => !(r.method === "HEAD" && gets.has(r.url)) && !isNonApi(r.url));
      const documented = new Set(documentedOperations(doc));
      const missing = api.map((r) => routeKey(r.method, r.url)).filter((key) => !documented.has(key));
      expect(missing, "registered but not in /openapi.json").toEqual([]);
      // The exclusions above really are routes of this server (the list is not stale).
      for (const url of ["/docs", "/index.html", "/assets/app.js"]) {
        expect(
          registered.some((r) => r.url === url),
          `${url} is registered`,
        ).toBe(true);
      }
      // And the document has nothing the server does not serve.
      const served = new Set(api.map((r) => routeKey(r.method, r.url)));
      expect(
        [...documented].filter((key) => !served.has(key)),
        "in /openapi.json but not registered",
      ).toEqual([]);
    });

    it("documents GET /api/ws, the upgrade handled outside the router, with its auth and close codes", () => {
      const ws = doc.paths["/api/ws"]?.get;
      expect(ws).toBeDefined();
      for (const code of Object.values(CLOSE_CODES)) expect(ws?.description).toContain(String(code));
      expect(Object.keys(ws?.responses ?? {})).toEqual(expect.arrayContaining(["101", "401", "403", "426"]));
      for (const url of ["/api/channels/{name}/events", "/healthz", "/readyz", "/metrics", "/openapi.json"]) {
        expect(doc.paths[url]?.get, url).toBeDefined();
      }
    });

    it("a plain GET /api/ws answers 426 with Upgrade: websocket; an upgrade on the same path still opens", async () => {
      const res = await fetch(`${server.url}/api/ws`);
      expect(res.status).toBe(426);
      expect(res.headers.get("upgrade")).toBe("websocket");
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
      const client = await WsClient.connect(server.url);
      try {
        await client.ping();
      } finally {
        client.close();
      }
    });
  });

  describe("docs/api.md matches the OpenAPI document", () => {
    const markdown = readDoc("docs/api.md");

    it("has a section for every operation of /openapi.json", () => {
      const headings = new Set(headingRoutes(markdown));
      expect(documentedOperations(doc).filter((key) => !headings.has(key))).toEqual([]);
    });

    it("documents no route the server does not have", () => {
      const documented = new Set(documentedOperations(doc));
      const headings = headingRoutes(markdown);
      expect(headings.length).toBeGreaterThan(20);
      expect(headings.filter((key) => !documented.has(key))).toEqual([]);
      expect(new Set(headings).size, "a route has two sections").toBe(headings.length);
    });

    it("lists every stable error code with its HTTP status", () => {
      for (const [code, status] of Object.entries(ERROR_STATUS)) {
        expect(markdown, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
      }
    });
  });

  describe("docs/operations.md matches the metrics", () => {
    it("operations.md names every chorus_* metric /metrics exports", async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const names = [...text.matchAll(/^# TYPE (chorus_\w+) /gm)].map((m) => m[1]);
      expect(names.length).toBeGreaterThan(5);
      const operations = readDoc("docs/operations.md");
      for (const name of names) expect(operations, `${name}`).toContain(`\`${name}\``);
    });
  });
});

describe("docs/protocol.md matches the protocol package", () => {
  it("protocol.md describes every client op and every close code", () => {
    const protocol = readDoc("docs/protocol.md");
    for (const op of Object.keys(CLIENT_FRAMES)) expect(protocol, op).toContain(`{"op":"${op}"`);
    for (const code of Object.values(CLOSE_CODES)) expect(protocol).toMatch(new RegExp(`\\| ${code} \\|`));
  });
});

describe("the repository documents itself", () => {
  const files = [
    "README.md",
    "BENCHMARKS.md",
    "CHANGELOG.md",
    ...readdirSync(path.join(repoRoot, "docs")).map((f) => `docs/${f}`),
    ...readdirSync(path.join(repoRoot, "deploy"), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && !e.parentPath.includes(`${path.sep}test`))
      .map((e) => path.relative(repoRoot, path.join(e.parentPath, e.name))),
  ];

  it.each(files)("%s points at no file outside the repository", (file) => {
    const lines = readDoc(file).split("\n");
    const outside = lines.filter((line) => /\.\.\/shared|\bAPI\.md\b|\bDESIGN\.md\b/.test(line));
    expect(outside).toEqual([]);
  });

  it.each(files.filter((f) => f.endsWith(".md")))("%s links only to files and headings that exist", (file) => {
    const text = readDoc(file);
    const dir = path.dirname(path.join(repoRoot, file));
    const broken: string[] = [];
    for (const [, target = "", anchor] of text.matchAll(/\]\(([^)#\s]*)(?:#([^)\s]*))?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const linked = target === "" ? path.join(repoRoot, file) : path.join(dir, target);
      if (!existsSync(linked)) broken.push(target);
      else if (anchor !== undefined && linked.endsWith(".md") && !headingSlugs(linked).has(anchor))
        broken.push(`${target}#${anchor}`);
    }
    expect(broken).toEqual([]);
  });
});
