/** Kysely table types: one schema for PGlite (embedded) and PostgreSQL (distributed). */

// int8 columns come back as strings from `pg` and as numbers or bigints from PGlite;
// adapters convert with Number() at the edge.
type Int8 = string | number | bigint;

export interface Database {
  users: {
    id: string;
    username: string;
    display_name: string;
    color: string;
    password_hash: string | null;
    is_admin: boolean;
    is_guest: boolean;
    created_at: Int8;
  };
  sessions: {
    id: string;
    user_id: string;
    created_at: Int8;
    expires_at: Int8;
    revoked_at: Int8 | null;
  };
  channels: {
    name: string;
    title: string;
    owner_id: string | null;
    settings: string | object;
    video_url: string | null;
    live_broadcast_id: string | null;
    created_at: Int8;
  };
  channel_roles: {
    channel: string;
    user_id: string;
    role: string;
  };
  site_bans: {
    id: string;
    kind: string;
    user_id: string | null;
    username: string | null;
    cidr: string | null;
    reason: string | null;
    by_username: string;
    at: Int8;
    until: Int8 | null;
  };
  channel_sanctions: {
    channel: string;
    user_id: string;
    username: string;
    kind: string;
    until: Int8 | null;
    reason: string | null;
    by_username: string;
    at: Int8;
  };
  channel_user_status: {
    channel: string;
    user_id: string;
    username: string;
    status: string;
    reason: string | null;
    by_username: string;
    at: Int8;
  };
  ingest_keys: {
    id: string;
    channel: string;
    label: string | null;
    secret_hash: string;
    created_at: Int8;
    last_used_at: Int8 | null;
  };
  connectors: {
    channel: string;
    platform: string;
    source: string;
    state: string;
    error: string | null;
    last_message_at: Int8 | null;
    updated_at: Int8;
  };
  platform_accounts: {
    channel: string;
    platform: string;
    login: string;
    user_id: string;
    scopes: string | object;
    token_encrypted: string;
    linked_at: Int8;
  };
  held_messages: {
    id: string;
    channel: string;
    message: string | object;
    reasons: string | object;
    dedup_key: string | null;
    at: Int8;
  };
  follows: {
    channel: string;
    user_id: string;
    at: Int8;
  };
  highlights: {
    broadcast_id: string;
    at: Int8;
    seq: Int8;
    rate: number;
    baseline: number;
    label: string;
  };
  modlog: {
    id: string;
    channel: string;
    at: Int8;
    actor_id: string;
    actor: string;
    action: string;
    target_id: string | null;
    target: string | null;
    reason: string | null;
    details: string | object;
  };
  channel_seq_tombstones: {
    channel: string;
    max_seq: Int8;
  };
  broadcasts: {
    id: string;
    channel: string;
    title: string;
    video_url: string | null;
    started_at: Int8;
    ended_at: Int8 | null;
  };
  events: {
    channel: string;
    seq: Int8;
    type: string;
    at: Int8;
    data: string | object;
    message_id: string | null;
    author_id: string | null;
    broadcast_id: string | null;
    dedup_key: string | null;
    deleted_at: Int8 | null;
  };
  seq_leases: {
    channel: string;
    ceiling: Int8;
  };
  secrets: {
    name: string;
    value: string;
  };
}
