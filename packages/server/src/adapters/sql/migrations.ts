/**
 * Migrations, in code so that one list serves PGlite and PostgreSQL. They run at start;
 * on PostgreSQL under an advisory lock so that several nodes starting at once do not race.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";

const migrations: Record<string, Migration> = {
  "001_initial": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("users")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("username", "text", (c) => c.notNull().unique())
        .addColumn("display_name", "text", (c) => c.notNull())
        .addColumn("color", "text", (c) => c.notNull())
        .addColumn("password_hash", "text")
        .addColumn("is_admin", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("is_guest", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("created_at", "int8", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("sessions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("created_at", "int8", (c) => c.notNull())
        .addColumn("expires_at", "int8", (c) => c.notNull())
        .addColumn("revoked_at", "int8")
        .execute();
      await db.schema
        .createTable("channels")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("owner_id", "text", (c) => c.references("users.id").onDelete("set null"))
        .addColumn("settings", "jsonb", (c) => c.notNull())
        .addColumn("video_url", "text")
        .addColumn("live_broadcast_id", "text")
        .addColumn("created_at", "int8", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("channel_roles")
        .addColumn("channel", "text", (c) => c.notNull().references("channels.name").onDelete("cascade"))
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("role", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("channel_roles_pk", ["channel", "user_id"])
        .execute();
      await db.schema
        .createTable("channel_seq_tombstones")
        .addColumn("channel", "text", (c) => c.primaryKey())
        .addColumn("max_seq", "int8", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("broadcasts")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("channel", "text", (c) => c.notNull().references("channels.name").onDelete("cascade"))
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("video_url", "text")
        .addColumn("started_at", "int8", (c) => c.notNull())
        .addColumn("ended_at", "int8")
        .execute();
      await db.schema
        .createIndex("broadcasts_channel_started")
        .on("broadcasts")
        .columns(["channel", "started_at"])
        .execute();
      // The persisted channel log. Its primary key (channel, seq) is what makes persistence
      // idempotent and history paging an index range scan.
      await db.schema
        .createTable("events")
        .addColumn("channel", "text", (c) => c.notNull().references("channels.name").onDelete("cascade"))
        .addColumn("seq", "int8", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("at", "int8", (c) => c.notNull())
        .addColumn("data", "jsonb", (c) => c.notNull())
        .addColumn("message_id", "text")
        .addColumn("author_id", "text")
        .addColumn("broadcast_id", "text")
        .addColumn("dedup_key", "text")
        .addColumn("deleted_at", "int8")
        .addPrimaryKeyConstraint("events_pk", ["channel", "seq"])
        .execute();
      await sql`create unique index events_message_id on events (message_id) where message_id is not null`.execute(db);
      await sql`create index events_broadcast_seq on events (broadcast_id, seq) where broadcast_id is not null`.execute(
        db,
      );
      await sql`create index events_dedup_at on events (at) where dedup_key is not null`.execute(db);
      await db.schema
        .createTable("secrets")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();
    },
  },
  "002_seq_leases": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("seq_leases")
        .addColumn("channel", "text", (c) => c.primaryKey())
        .addColumn("ceiling", "int8", (c) => c.notNull())
        .execute();
    },
  },
  "003_events_dedup_key": {
    async up(db: Kysely<unknown>) {
      await sql`create index events_channel_dedup on events (channel, dedup_key) where dedup_key is not null`.execute(
        db,
      );
    },
  },
  "004_moderation": {
    async up(db: Kysely<unknown>) {
      // One standing sanction per user and channel: a new ban or timeout replaces the old one.
      await db.schema
        .createTable("channel_sanctions")
        .addColumn("channel", "text", (c) => c.notNull().references("channels.name").onDelete("cascade"))
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("username", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("until", "int8")
        .addColumn("reason", "text")
        .addColumn("by_username", "text", (c) => c.notNull())
        .addColumn("at", "int8", (c) => c.notNull())
        .addPrimaryKeyConstraint("channel_sanctions_pk", ["channel", "user_id"])
        .execute();
      await db.schema
        .createTable("modlog")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("channel", "text", (c) => c.notNull())
        .addColumn("at", "int8", (c) => c.notNull())
        .addColumn("actor_id", "text", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("target_id", "text")
        .addColumn("target", "text")
        .addColumn("reason", "text")
        .addColumn("details", "jsonb", (c) => c.notNull())
        .execute();
      await sql`create index modlog_channel_at on modlog (channel, at desc)`.execute(db);
      await db.schema
        .createTable("follows")
        .addColumn("channel", "text", (c) => c.notNull().references("channels.name").onDelete("cascade"))
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("at", "int8", (c) => c.notNull())
        .addPrimaryKeyConstraint("follows_pk", ["channel", "user_id"])
        .execute();
      // Messages waiting for a moderator: the queue survives restarts and is shared by every node.
      await db.schema
        .createTable("held_messages")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("channel", "text", (c) => c.notNull().references("channels.name").onDelete("cascade"))
        .addColumn("message", "jsonb", (c) => c.notNull())
        .addColumn("reasons", "jsonb", (c) => c.notNull())
        .addColumn("dedup_key", "text")
        .addColumn("at", "int8", (c) => c.notNull())
        .execute();
      await sql`create index held_messages_channel_at on held_messages (channel, at)`.execute(db);
      // "Has this user ever posted here?" (first-time chatters) must not scan a channel's history.
      await sql`create index events_channel_author on events (channel, author_id) where author_id is not null`.execute(
        db,
      );
      await sql`create unique index held_messages_dedup on held_messages (channel, dedup_key) where dedup_key is not null`.execute(
        db,
      );
    },
  },
  "005_user_status": {
    async up(db: Kysely<unknown>) {
      // Suspicious-user marks (restricted, monitored): one per user and channel, until lifted.
      await db.schema
        .createTable("channel_user_status")
        .addColumn("channel", "text", (c) => c.notNull().references("channels.name").onDelete("cascade"))
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("username", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("reason", "text")
        .addColumn("by_username", "text", (c) => c.notNull())
        .addColumn("at", "int8", (c) => c.notNull())
        .addPrimaryKeyConstraint("channel_user_status_pk", ["channel", "user_id"])
        .execute();
    },
  },
  "006_ingest": {
    async up(db: Kysely<unknown>) {
      // Per-channel ingest keys: only a hash of the secret is kept (the secret is shown once).
      await db.schema
        .createTable("ingest_keys")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("channel", "text", (c) => c.notNull().references("channels.name").onDelete("cascade"))
        .addColumn("label", "text")
        .addColumn("secret_hash", "text", (c) => c.notNull().unique())
        .addColumn("created_at", "int8", (c) => c.notNull())
        .addColumn("last_used_at", "int8")
        .execute();
      await sql`create index ingest_keys_channel on ingest_keys (channel, created_at)`.execute(db);
    },
  },
  "007_connectors": {
    async up(db: Kysely<unknown>) {
      // Built-in connectors: what each channel mirrors, and the state its runner last reported.
      await db.schema
        .createTable("connectors")
        .addColumn("channel", "text", (c) => c.notNull().references("channels.name").onDelete("cascade"))
        .addColumn("platform", "text", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("error", "text")
        .addColumn("last_message_at", "int8")
        .addColumn("updated_at", "int8", (c) => c.notNull())
        .addPrimaryKeyConstraint("connectors_pk", ["channel", "platform"])
        .execute();
    },
  },
  "008_platform_accounts": {
    async up(db: Kysely<unknown>) {
      // Owners' accounts on other platforms; the token is stored encrypted.
      await db.schema
        .createTable("platform_accounts")
        .addColumn("channel", "text", (c) => c.notNull().references("channels.name").onDelete("cascade"))
        .addColumn("platform", "text", (c) => c.notNull())
        .addColumn("login", "text", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("scopes", "jsonb", (c) => c.notNull())
        .addColumn("token_encrypted", "text", (c) => c.notNull())
        .addColumn("linked_at", "int8", (c) => c.notNull())
        .addPrimaryKeyConstraint("platform_accounts_pk", ["channel", "platform"])
        .execute();
    },
  },
  "009_highlights": {
    async up(db: Kysely<unknown>) {
      // Chat spikes of a broadcast. Keyed by the spike's start so that a new analysis leader
      // that finds the same spike again (after a failover) records it once.
      await db.schema
        .createTable("highlights")
        .addColumn("broadcast_id", "text", (c) => c.notNull().references("broadcasts.id").onDelete("cascade"))
        .addColumn("at", "int8", (c) => c.notNull())
        .addColumn("seq", "int8", (c) => c.notNull())
        .addColumn("rate", "float8", (c) => c.notNull())
        .addColumn("baseline", "float8", (c) => c.notNull())
        .addColumn("label", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("highlights_pk", ["broadcast_id", "at"])
        .execute();
    },
  },
  "010_site_bans": {
    async up(db: Kysely<unknown>) {
      // Site-wide bans by account or address range; every node keeps the active ones in memory.
      await db.schema
        .createTable("site_bans")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.references("users.id").onDelete("cascade"))
        .addColumn("username", "text")
        .addColumn("cidr", "text")
        .addColumn("reason", "text")
        .addColumn("by_username", "text", (c) => c.notNull())
        .addColumn("at", "int8", (c) => c.notNull())
        .addColumn("until", "int8")
        .execute();
    },
  },
};

const provider: MigrationProvider = {
  getMigrations: async () => migrations,
};

export async function migrate(db: Kysely<unknown>, options: { advisoryLock: boolean }): Promise<void> {
  const run = async (conn: Kysely<unknown>): Promise<void> => {
    const { error } = await new Migrator({ db: conn, provider }).migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
  };
  if (!options.advisoryLock) return run(db);
  // One connection holds the lock for the whole run; the number is arbitrary but fixed.
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(4242001)`.execute(conn);
    try {
      await run(conn);
    } finally {
      await sql`select pg_advisory_unlock(4242001)`.execute(conn);
    }
  });
}
