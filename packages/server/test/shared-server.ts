/**
 * One real server per test file (PGlite takes seconds to open): started before the file's
 * tests with a logged-in admin, disposed after them; clients handed to `track` are closed
 * after each test.
 */
import type { Message } from "@chorus/protocol";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import { loginAdmin, postMessage, type Session } from "./helpers.js";

export function useSharedServer(
  ready: (server: TestServer, admin: Session) => void,
): <T extends { close(): void }>(client: T) => T {
  let server: TestServer | undefined;
  const open: Array<{ close(): void }> = [];
  beforeAll(async () => {
    server = await startTestServer();
    ready(server, await loginAdmin(server.url));
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await server?.dispose();
  });
  return (client) => {
    open.push(client);
    return client;
  };
}

/** Posts each text in turn over REST, expecting 201 for every one. */
export async function postAll(url: string, session: Session, channel: string, texts: string[]): Promise<Message[]> {
  const out: Message[] = [];
  for (const text of texts) {
    const res = await postMessage(url, session, channel, text);
    expect(res.status, res.text).toBe(201);
    out.push(res.body.message);
  }
  return out;
}
