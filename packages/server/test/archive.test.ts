/**
 * A broadcast's archive: go live, chat (native and ingested), a moderator deletes one, end;
 * then the transcript (deleted messages only on request, as placeholders) and the streamed
 * JSON and CSV exports across several store pages.
 */
import type { IngestItem, Message } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CSV_COLUMNS } from "../src/channels/transcript-export.js";
import { startTestServer, type TestServer } from "./harness.js";
import { api, createChannel, postMessage, register, type Session } from "./helpers.js";

describe("broadcast archive and export", () => {
  let server: TestServer;
  let owner: Session;
  let viewer: Session;
  let channel: string;
  let broadcastId: string;
  let deletedId: string;
  const url = () => server.url;
  const INGESTED = 2_450;

  beforeAll(async () => {
    server = await startTestServer();
    owner = await register(server.url, "owner");
    viewer = await register(server.url, "viewer");
    channel = await createChannel(server.url, owner, "archive");
    const live = await api<{ broadcast: { id: string } }>(server.url, "POST", `/api/channels/${channel}/live`, {
      token: owner.token,
      body: { title: "Speedrun night" },
    });
    expect(live.status, live.text).toBe(201);
    broadcastId = live.body.broadcast.id;
    const first = await postMessage(server.url, viewer, channel, '=SUM(A1:A9) "cmd"');
    const doomed = await postMessage(server.url, viewer, channel, "something to delete");
    deletedId = doomed.body.message.id;
    expect(
      (await api(server.url, "DELETE", `/api/channels/${channel}/messages/${deletedId}`, { token: owner.token }))
        .status,
    ).toBe(204);
    expect(first.status).toBe(201);
    const key = await api<{ secret: string }>(server.url, "POST", `/api/channels/${channel}/ingest-keys`, {
      token: owner.token,
      body: {},
    });
    for (let batch = 0; batch < INGESTED / 50; batch++) {
      const items: IngestItem[] = Array.from({ length: 50 }, (_, i) => ({
        externalId: `yt-${batch}-${i}`,
        username: `fan${i}`,
        text: `message ${batch * 50 + i}, "quoted", with a comma`,
      }));
      const res = await api(server.url, "POST", `/api/channels/${channel}/ingest/youtube`, {
        token: key.body.secret,
        body: items,
      });
      expect(res.status, res.text).toBe(200);
    }
    const ended = await api(server.url, "DELETE", `/api/channels/${channel}/live`, { token: owner.token });
    expect(ended.status, ended.text).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await server.dispose();
  });

  it("the transcript leaves deleted messages out, or shows them as deleted (no text) on request; the count leaves them out", async () => {
    const path = `/api/channels/${channel}/broadcasts/${broadcastId}/messages?after=0&limit=5`;
    const plain = await api<{ messages: Message[] }>(url(), "GET", path);
    expect(plain.body.messages.map((m) => m.id)).not.toContain(deletedId);
    const withDeleted = await api<{ messages: Message[] }>(url(), "GET", `${path}&deleted=true`);
    const placeholder = withDeleted.body.messages.find((m) => m.id === deletedId);
    expect(placeholder).toMatchObject({ deleted: true, text: "" });
    const list = await api<{ broadcasts: Array<{ id: string; messageCount: number }> }>(
      url(),
      "GET",
      `/api/channels/${channel}/broadcasts`,
    );
    expect(list.body.broadcasts.find((b) => b.id === broadcastId)?.messageCount).toBe(INGESTED + 1);
  });

  it("exports JSON, streamed, every message in log order with the deleted one as deleted", async () => {
    const res = await fetch(`${url()}/api/channels/${channel}/broadcasts/${broadcastId}/export?format=json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.headers.get("content-disposition")).toContain(`${channel}-${broadcastId}.json`);
    const body = (await res.json()) as { broadcast: { id: string; title: string }; messages: Message[] };
    expect(body.broadcast).toMatchObject({ id: broadcastId, title: "Speedrun night" });
    expect(body.messages).toHaveLength(INGESTED + 2);
    const seqs = body.messages.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(body.messages.find((m) => m.id === deletedId)).toMatchObject({ deleted: true, text: "" });
    expect(body.messages.filter((m) => m.author.platform === "youtube")).toHaveLength(INGESTED);
  });

  it("exports CSV with a header, quoting, formula cells defused and the deleted row marked", async () => {
    const res = await fetch(`${url()}/api/channels/${channel}/broadcasts/${broadcastId}/export?format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/csv/);
    const text = (await res.text()).replace(/^\uFEFF/, "");
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    expect(lines).toHaveLength(INGESTED + 3);
    expect(lines[1]).toContain(`"'=SUM(A1:A9) ""cmd"""`);
    expect(lines.find((l) => l.includes(deletedId))).toMatch(/,true$/);
    expect(lines.at(-1)).toContain(`"message ${INGESTED - 1}, ""quoted"", with a comma"`);
  });

  it("one broadcast by id, with its count", async () => {
    const res = await api<{ broadcast: { id: string; title: string; messageCount: number; endedAt: number } }>(
      url(),
      "GET",
      `/api/channels/${channel}/broadcasts/${broadcastId}`,
    );
    expect(res.body.broadcast).toMatchObject({ id: broadcastId, title: "Speedrun night", messageCount: INGESTED + 1 });
    expect(res.body.broadcast.endedAt).toEqual(expect.any(Number));
    expect((await api(url(), "GET", `/api/channels/${channel}/broadcasts/nope`)).status).toBe(404);
  });

  it("an unknown broadcast or format is refused before anything is streamed", async () => {
    expect((await fetch(`${url()}/api/channels/${channel}/broadcasts/nope/export`)).status).toBe(404);
    expect((await fetch(`${url()}/api/channels/${channel}/broadcasts/${broadcastId}/export?format=xml`)).status).toBe(
      400,
    );
  });
});
