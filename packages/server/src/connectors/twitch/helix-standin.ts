/**
 * A local stand-in for the Twitch APIs that origin moderation calls, speaking their real
 * shapes: `GET /oauth2/validate` (Authorization: OAuth <token>), and under `/helix`:
 * `GET /users?login=`, `DELETE /moderation/chat`, `POST /moderation/bans`,
 * `DELETE /moderation/bans`, each checking the Bearer token and Client-Id. Tests register
 * tokens and users, make the next call fail, and read the calls made.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface HelixCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export class HelixStandin {
  readonly calls: HelixCall[] = [];
  /** token → the account it belongs to. */
  readonly tokens = new Map<string, { clientId: string; login: string; userId: string; scopes: string[] }>();
  /** login → user id. */
  readonly users = new Map<string, string>();
  private failNext: { status: number; message: string } | null = null;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<HelixStandin> {
    let standin: HelixStandin | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () =>
        standin?.handle(req.method ?? "GET", req.url ?? "/", req.headers, Buffer.concat(chunks), res),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    standin = new HelixStandin(server);
    return standin;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next Helix call (not validate) answers this error. */
  failNextCall(status: number, message: string): void {
    this.failNext = { status, message };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(
    method: string,
    rawUrl: string,
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
    res: import("node:http").ServerResponse,
  ) {
    const url = new URL(rawUrl, "http://standin");
    const query = Object.fromEntries(url.searchParams);
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const error = (status: number, message: string) =>
      send(status, { error: status === 401 ? "Unauthorized" : "Error", status, message });
    if (url.pathname === "/oauth2/validate") {
      const token = /^OAuth (.+)$/.exec(String(headers["authorization"] ?? ""))?.[1];
      const account = token ? this.tokens.get(token) : undefined;
      if (!account) return send(401, { status: 401, message: "invalid access token" });
      return send(200, {
        client_id: account.clientId,
        login: account.login,
        scopes: account.scopes,
        user_id: account.userId,
        expires_in: 5_000_000,
      });
    }
    let body: unknown = null;
    try {
      body = rawBody.length > 0 ? JSON.parse(rawBody.toString("utf8")) : null;
    } catch {
      return error(400, "bad json");
    }
    this.calls.push({ method, path: url.pathname, query, body });
    const token = /^Bearer (.+)$/.exec(String(headers["authorization"] ?? ""))?.[1];
    const account = token ? this.tokens.get(token) : undefined;
    if (!account) return error(401, "Invalid OAuth token");
    if (headers["client-id"] !== account.clientId) return error(401, "Client ID and OAuth token do not match");
    if (this.failNext) {
      const { status, message } = this.failNext;
      this.failNext = null;
      return error(status, message);
    }
    const route = `${method} ${url.pathname}`;
    switch (route) {
      case "GET /helix/users": {
        const id = this.users.get(query["login"] ?? "");
        return send(200, { data: id ? [{ id, login: query["login"], display_name: query["login"] }] : [] });
      }
      case "DELETE /helix/moderation/chat":
        if (query["moderator_id"] !== account.userId) return error(403, "moderator_id does not match the token");
        if (!query["broadcaster_id"] || !query["message_id"]) return error(400, "Missing required parameter");
        return send(204);
      case "POST /helix/moderation/bans": {
        if (query["moderator_id"] !== account.userId) return error(403, "moderator_id does not match the token");
        const data = (body as { data?: { user_id?: unknown } } | null)?.data;
        if (typeof data?.user_id !== "string") return error(400, 'Missing required parameter "data.user_id"');
        return send(200, { data: [{ broadcaster_id: query["broadcaster_id"], user_id: data.user_id }] });
      }
      case "DELETE /helix/moderation/bans":
        return send(204);
      default:
        return error(404, "Not Found");
    }
  }
}
