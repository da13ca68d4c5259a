/**
 * Publishing through the ingest endpoint in batches (`--publish-via ingest`): messages for a
 * channel are collected for up to `BATCH_WAIT_MS` or until 100 are waiting, then posted as one
 * `POST /api/channels/:name/ingest/generic` with that channel's ingest key; each message is
 * acknowledged by its own item of the per-item `results` (published or duplicate = ack).
 */
import { Agent, request } from "node:http";
import type { ChannelPublisher, PublishOutcome } from "../targets/types.js";

const BATCH_MAX = 100;
const BATCH_WAIT_MS = 5;
const TIMEOUT_MS = 30_000;

interface Pending {
  item: { externalId: string; username: string; text: string };
  done: (outcome: PublishOutcome) => void;
}

export function ingestBatchPublisher(httpUrl: string, keys: ReadonlyMap<string, string>): ChannelPublisher {
  const base = new URL(httpUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const queues = new Map<string, { items: Pending[]; timer: NodeJS.Timeout | null }>();

  const flush = (channel: string): void => {
    const queue = queues.get(channel);
    if (!queue || queue.items.length === 0) return;
    if (queue.timer) clearTimeout(queue.timer);
    queue.timer = null;
    const batch = queue.items.splice(0, BATCH_MAX);
    const fail = (code: string) => {
      for (const p of batch) p.done({ ok: false, code });
    };
    const key = keys.get(channel);
    if (key === undefined) {
      fail("no_ingest_key");
      return;
    }
    const body = JSON.stringify(batch.map((p) => p.item));
    const req = request(
      new URL(`/api/channels/${encodeURIComponent(channel)}/ingest/generic`, base),
      {
        method: "POST",
        agent,
        timeout: TIMEOUT_MS,
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          if (res.statusCode !== 200) return fail(`http_${res.statusCode ?? 0}`);
          let results: Array<{ status?: string; seq?: number; code?: string }> = [];
          try {
            results = (JSON.parse(Buffer.concat(chunks).toString()) as { results: typeof results }).results;
          } catch {
            return fail("bad_response");
          }
          batch.forEach((p, i) => {
            const r = results[i];
            if (r?.status === "published" || r?.status === "duplicate") p.done({ ok: true, seq: r.seq });
            else p.done({ ok: false, code: r?.code ?? r?.status ?? "missing_result" });
          });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => fail("request_error"));
    req.end(body);
    if (queue.items.length > 0) flush(channel);
  };

  return {
    send(channel, text, nonce, done) {
      let queue = queues.get(channel);
      if (!queue) {
        queue = { items: [], timer: null };
        queues.set(channel, queue);
      }
      queue.items.push({ item: { externalId: nonce, username: "bench_source", text }, done });
      if (queue.items.length >= BATCH_MAX) flush(channel);
      else queue.timer ??= setTimeout(() => flush(channel), BATCH_WAIT_MS);
    },
    close() {
      for (const queue of queues.values()) if (queue.timer) clearTimeout(queue.timer);
      agent.destroy();
    },
  };
}
