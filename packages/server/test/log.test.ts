import { afterAll } from "vitest";
import { EmbeddedLog } from "../src/adapters/memory/embedded-log.js";
import { openStore } from "../src/adapters/sql/open-store.js";
import type { ChannelLog } from "../src/ports/log.js";
import type { Store } from "../src/ports/store.js";
import { logContract } from "./contracts/log.contract.js";

/** Wraps a store so a test can make its event writes fail, as a dead database would. */
function breakable(store: Store): { store: Store; setBroken: (b: boolean) => void } {
  let broken = false;
  const events = Object.create(store.events) as Store["events"];
  events.append = (batch) => (broken ? Promise.reject(new Error("store down")) : store.events.append(batch));
  const wrapped = Object.create(store) as Store;
  Object.defineProperty(wrapped, "events", { value: events });
  return { store: wrapped, setBroken: (b) => (broken = b) };
}

// One database for the file (PGlite takes seconds to open); each test uses fresh channels.
let shared: Promise<Store> | null = null;
afterAll(async () => {
  if (shared) await (await shared).close();
});

logContract("embedded (PGlite group commit)", async () => {
  shared ??= openStore({ dataDir: "memory://", databaseUrl: null });
  const raw = await shared;
  const { store, setBroken } = breakable(raw);
  // A tiny window so reads also exercise the store path.
  let log: ChannelLog = await EmbeddedLog.open(store, { recentWindow: 8 });
  return {
    get log() {
      return log;
    },
    store: raw,
    async reopen() {
      await log.close();
      log = await EmbeddedLog.open(store, { recentWindow: 8 });
      return log;
    },
    breakWrites: setBroken,
    async dispose() {
      await log.close();
    },
  };
});
