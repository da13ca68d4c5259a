/**
 * Opens the Store for a configuration: PostgreSQL when DATABASE_URL is set, otherwise the
 * embedded PGlite database in DATA_DIR. Both run the same migrations.
 */
import { mkdir } from "node:fs/promises";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Store } from "../../ports/store.js";
import { migrate } from "./migrations.js";
import { PGliteDialect } from "./pglite-dialect.js";
import { PGliteThread } from "./pglite-thread.js";
import type { Database } from "./schema.js";
import { SqlStore } from "./sql-store.js";

export interface StoreOptions {
  dataDir: string;
  databaseUrl: string | null;
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
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await migrate(db as unknown as Kysely<unknown>, { advisoryLock: true });
    return new SqlStore(db);
  }
  const inMemory = options.dataDir.startsWith("memory://");
  if (!inMemory) await mkdir(options.dataDir, { recursive: true });
  // The database runs on its own thread (pglite-thread.ts); a first start's initdb memory is
  // released there (pglite-worker.mjs).
  const pglite = new PGliteThread(inMemory ? undefined : options.dataDir);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  try {
    await pglite.waitReady;
    await migrate(db as unknown as Kysely<unknown>, { advisoryLock: false });
  } catch (error) {
    await db.destroy().catch(() => undefined); // the thread would keep the process alive
    throw error;
  }
  return new SqlStore(db);
}
