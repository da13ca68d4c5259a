/**
 * The Store port over Kysely: the same code serves the embedded PGlite database and
 * PostgreSQL (open-store.ts opens either). One sub-store per file beside this one.
 */
import { type Kysely, sql } from "kysely";
import type {
  BroadcastStore,
  ChannelStore,
  ConnectorStore,
  EventStore,
  FollowStore,
  HeldStore,
  HighlightStore,
  IngestKeyStore,
  ModlogStore,
  PlatformAccountStore,
  SanctionStore,
  SecretStore,
  SessionStore,
  SiteBanStore,
  Store,
  UserStatusStore,
  UserStore,
} from "../../ports/store.js";
import { SqlBroadcasts } from "./broadcasts.js";
import { SqlChannels } from "./channels.js";
import { SqlConnectors } from "./connectors.js";
import { SqlEvents } from "./events.js";
import { SqlFollows } from "./follows.js";
import { SqlHeld } from "./held.js";
import { SqlHighlights } from "./highlights.js";
import { SqlIngestKeys } from "./ingest-keys.js";
import { SqlModlog } from "./modlog.js";
import { SqlPlatformAccounts } from "./platform-accounts.js";
import { SqlSanctions } from "./sanctions.js";
import type { Database } from "./schema.js";
import { SqlSecrets } from "./secrets.js";
import { SqlSessions } from "./sessions.js";
import { SqlSiteBans } from "./site-bans.js";
import { SqlUserStatus } from "./user-status.js";
import { SqlUsers } from "./users.js";
import type { WalSync } from "./wal-sync.js";

export class SqlStore implements Store {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly channels: ChannelStore;
  readonly broadcasts: BroadcastStore;
  readonly events: EventStore;
  readonly sanctions: SanctionStore;
  readonly siteBans: SiteBanStore;
  readonly userStatus: UserStatusStore;
  readonly ingestKeys: IngestKeyStore;
  readonly connectors: ConnectorStore;
  readonly platformAccounts: PlatformAccountStore;
  readonly modlog: ModlogStore;
  readonly follows: FollowStore;
  readonly highlights: HighlightStore;
  readonly held: HeldStore;
  readonly secrets: SecretStore;

  /** @param walSync the embedded database's WAL syncing (wal-sync.ts); null for PostgreSQL, which syncs itself. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly walSync: WalSync | null = null,
  ) {
    this.users = new SqlUsers(db);
    this.sessions = new SqlSessions(db);
    this.channels = new SqlChannels(db);
    this.broadcasts = new SqlBroadcasts(db);
    this.events = new SqlEvents(db, walSync);
    this.sanctions = new SqlSanctions(db);
    this.siteBans = new SqlSiteBans(db);
    this.userStatus = new SqlUserStatus(db);
    this.ingestKeys = new SqlIngestKeys(db);
    this.connectors = new SqlConnectors(db);
    this.platformAccounts = new SqlPlatformAccounts(db);
    this.modlog = new SqlModlog(db);
    this.follows = new SqlFollows(db);
    this.highlights = new SqlHighlights(db);
    this.held = new SqlHeld(db);
    this.secrets = new SqlSecrets(db);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.walSync?.close();
  }
}
