/**
 * Real PostgreSQL for the contract suites: a throwaway database per suite on the server at
 * TEST_DATABASE_URL (default: the local trust-auth server's `test` database). When no server
 * answers, the PostgreSQL runs are reported as skipped, with the reason in their name — CI
 * starts one, so there they always run.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";

const ADMIN_URL = process.env["TEST_DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

/** Null when the PostgreSQL server answers, else why the PostgreSQL runs are skipped. */
export async function postgresSkipReason(): Promise<string | null> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch {
    return `PostgreSQL not reachable at ${new URL(ADMIN_URL).host}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function postgresAvailable(): Promise<boolean> {
  const reason = await postgresSkipReason();
  if (reason !== null) console.warn(`\n!!! ${reason}: PostgreSQL runs are SKIPPED !!!\n`);
  return reason === null;
}

/** Creates a fresh database and returns its URL and a function that drops it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `chorus_t_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
