/**
 * Opens the Store for a configuration: PostgreSQL when DATABASE_URL is set, otherwise the
 * embedded PGlite database in DATA_DIR. Both run the same migrations.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Store } from "../../ports/store.js";
import { migrate } from "./migrations.js";
import { PGliteDialect } from "./pglite-dialect.js";
import type { Database } from "./schema.js";
import { SqlStore } from "./sql-store.js";
import { WalSync } from "./wal-sync.js";

export interface StoreOptions {
  dataDir: string;
  databaseUrl: string | null;
  /** Embedded: fdatasync the WAL after each event commit (wal-sync.ts). @default true */
  fsync?: boolean;
  /** Embedded: how commits reach the disk (tests pass their own to observe it). @default one for dataDir */
  walSync?: WalSync;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl !== null) {
    // Bounded waits: an unreachable or stuck PostgreSQL turns into a 503 within seconds, not a hang.
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      connectionTimeoutMillis: 5_000,
      query_timeout: 10_000,
      statement_timeout: 10_000,
    });
    pool.on("error", () => undefined); // idle client errors surface on the next query instead
    // A checked-out client has no pool listener: a backend terminated between two statements
    // would emit an unhandled 'error' and kill the process; the caller still sees the failure
    // on its next query. (Found by the chaos test: PostgreSQL killed under load.)
    pool.on("connect", (client) => client.on("error", () => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await migrate(db as unknown as Kysely<unknown>, { advisoryLock: true });
    return new SqlStore(db);
  }
  const inMemory = options.dataDir.startsWith("memory://");
  if (!inMemory) await mkdir(options.dataDir, { recursive: true });
  const fresh = !inMemory && !existsSync(join(options.dataDir, "PG_VERSION"));
  let pglite = await PGlite.create(inMemory ? undefined : options.dataDir);
  if (fresh) {
    // A first start runs initdb in a second WASM instance whose memory (~450 MB) the PGlite
    // object keeps alive; closing and reopening the now-initialised directory drops it:
    // measured RSS 900 MB → 470 MB, the same as every later start.
    await pglite.close();
    pglite = await PGlite.create(options.dataDir);
    collectGarbageNow();
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  await migrate(db as unknown as Kysely<unknown>, { advisoryLock: false });
  const durable = !inMemory && options.fsync !== false;
  return new SqlStore(db, durable ? (options.walSync ?? new WalSync(options.dataDir)) : null);
}

/**
 * Frees the closed init instance now rather than whenever V8 next feels pressure, so the
 * server's footprint after start is its real one (operators size machines by it, and the
 * benchmark measures memory per connection against it). `--expose-gc` set at run time only
 * exposes `gc` to contexts created afterwards: hence the fresh context.
 */
function collectGarbageNow(): void {
  setFlagsFromString("--expose-gc");
  const gc: unknown = runInNewContext("gc");
  if (typeof gc === "function") gc();
}
