/**
 * A broadcast's export in constant memory: a server (embedded, in this process) gets a
 * broadcast of N messages (default 100,000, ingested in batches of 100), then the JSON and
 * CSV exports are downloaded while the server's heap and RSS are sampled. Prints the sizes,
 * the time and the growth of heap and RSS during each export.
 *
 * Usage: npm run bench:export [-- messages]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startServer } from "../src/app.js";
import { loadConfig } from "../src/config.js";

const total = Number(process.argv[2] ?? 100_000);
const dataDir = await mkdtemp(path.join(tmpdir(), "chorus-export-"));
const config = loadConfig({
  HOST: "127.0.0.1",
  PORT: "0",
  LOG_LEVEL: "warn",
  DATA_DIR: dataDir,
  ADMIN_USERNAME: "bench_admin",
  ADMIN_PASSWORD: "bench admin password",
  WEB_DIST_DIR: path.join(dataDir, "no-web"),
});
const server = await startServer(config);
const base = server.url;

async function call<T>(method: string, route: string, token: string | null, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const { token } = await call<{ token: string }>("POST", "/api/auth/login", null, {
  username: "bench_admin",
  password: "bench admin password",
});
await call("POST", "/api/channels", token, { name: "exportbench" });
const { broadcast } = await call<{ broadcast: { id: string } }>("POST", "/api/channels/exportbench/live", token, {
  title: "export bench",
});
const { secret } = await call<{ secret: string }>("POST", "/api/channels/exportbench/ingest-keys", token, {});
const filler = "what a play that was, chat is going wild right now and nobody can believe it";
const started = performance.now();
for (let sent = 0; sent < total; sent += 100) {
  const items = Array.from({ length: Math.min(100, total - sent) }, (_, i) => ({
    externalId: `m${sent + i}`,
    username: `viewer${(sent + i) % 997}`,
    text: `${sent + i} ${filler}`,
  }));
  await call("POST", "/api/channels/exportbench/ingest/generic", secret, items);
}
await call("DELETE", "/api/channels/exportbench/live", token);
console.log(
  `ingested ${total.toLocaleString("en")} messages in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

for (const format of ["json", "csv"] as const) {
  global.gc?.();
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 20);
  const t0 = performance.now();
  const res = await fetch(`${base}/api/channels/exportbench/broadcasts/${broadcast.id}/export?format=${format}`);
  let bytes = 0;
  // Read the stream without keeping it: the client side must not be what grows.
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
  clearInterval(sampler);
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  console.log(
    `${format}: ${mb(bytes)} in ${((performance.now() - t0) / 1000).toFixed(1)} s; heap ${mb(before.heapUsed)} → peak ${mb(peakHeap)} (+${mb(peakHeap - before.heapUsed)}), RSS ${mb(before.rss)} → peak ${mb(peakRss)} (+${mb(peakRss - before.rss)})`,
  );
}
await server.close();
await rm(dataDir, { recursive: true, force: true });
