/**
 * What the two `ws` peers (naive and ceiling) share and what is not under test: their
 * settings, the one user every token maps to, the HTTP side (`/healthz`, `/readyz`,
 * `/metrics`) and the process lifecycle (`PORT`/`HOST`, signals, `EXIT_WITH_STDIN=1`).
 * Each peer keeps its own fan-out code — that is the part being compared.
 */
import { createServer, type Server } from "node:http";
import { collectDefaultMetrics, register } from "prom-client";

export const PORT = Number(process.env["PORT"] ?? "0");
export const HOST = process.env["HOST"] ?? "127.0.0.1";
export const WS_PATH = "/api/ws";
/** docs/api.md: `text` is 1–500 characters. */
export const MAX_TEXT = 500;
const MAX_CHANNEL_CHARS = 64;
/** Client frames are small; a larger one is an error, not something to buffer. */
export const MAX_PAYLOAD = 64 * 1024;

/** Any token is accepted and maps to this one plausible public user (docs/api.md `user`). */
export const USER = {
  id: "00000000-0000-4000-8000-000000000001",
  username: "bench_admin",
  displayName: "bench_admin",
  color: "#8a2be2",
  isAdmin: true,
  isGuest: false,
  createdAt: Date.now(),
};

/** The message author, field for field as Chorus writes it. */
export const AUTHOR = {
  id: USER.id,
  username: USER.username,
  displayName: USER.displayName,
  color: USER.color,
  role: "owner",
  badges: ["admin"],
  platform: "chorus",
};

export function isChannelName(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_CHANNEL_CHARS;
}

/** The peer's HTTP server: health checks and Prometheus process metrics; WebSocket upgrades are the caller's. */
export function createPeerHttpServer(): Server {
  collectDefaultMetrics();
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (req.method === "GET" && (path === "/healthz" || path === "/readyz")) {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    } else if (req.method === "GET" && path === "/metrics") {
      register.metrics().then(
        (body) => {
          res.writeHead(200, { "content-type": register.contentType });
          res.end(body);
        },
        (err: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(String(err));
        },
      );
    } else {
      res.writeHead(404);
      res.end();
    }
  });
}

/** Listens on PORT/HOST and exits on SIGTERM/SIGINT (or when stdin closes, with EXIT_WITH_STDIN=1). */
export function runPeer(name: string, http: Server, beforeExit: () => void = () => undefined): void {
  http.listen(PORT, HOST, () => {
    process.stdout.write(`${name} listening on ${HOST}:${PORT}\n`);
  });
  const shutdown = () => {
    beforeExit();
    http.close();
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  if (process.env["EXIT_WITH_STDIN"] === "1") {
    process.stdin.on("end", shutdown);
    process.stdin.on("error", shutdown);
    process.stdin.resume();
  }
}
