// The embedded database's own thread (see pglite-thread.ts for why). Plain JavaScript so a
// worker starts the same under node, tsx and vitest, with no TypeScript loader to inherit.
// Protocol: { id, sql, params } in; { id, ok: true, rows, affectedRows } or
// { id, ok: false, error: { message, code, detail } } out; { id, close: true } closes.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";

const dataDir = workerData?.dataDir ?? undefined;

async function open() {
  const fresh = dataDir !== undefined && !existsSync(join(dataDir, "PG_VERSION"));
  let db = await PGlite.create(dataDir);
  if (fresh) {
    // A first start runs initdb in a second WASM instance that the PGlite object keeps
    // alive (~450 MB); reopening the initialised directory and collecting drops it.
    await db.close();
    db = await PGlite.create(dataDir);
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc");
    if (typeof gc === "function") gc();
  }
  return db;
}

function describe(error) {
  if (error instanceof Error) {
    return { message: error.message, code: error.code, detail: error.detail };
  }
  return { message: String(error) };
}

let db;
try {
  db = await open();
  parentPort.postMessage({ ready: true });
} catch (error) {
  parentPort.postMessage({ ready: false, error: describe(error) });
}

parentPort.on("message", async (message) => {
  if (!db) return;
  if (message.close) {
    await db.close().catch(() => undefined);
    parentPort.postMessage({ id: message.id, ok: true, rows: [] });
    return;
  }
  try {
    const result = await db.query(message.sql, message.params);
    parentPort.postMessage({ id: message.id, ok: true, rows: result.rows, affectedRows: result.affectedRows });
  } catch (error) {
    parentPort.postMessage({ id: message.id, ok: false, error: describe(error) });
  }
});
