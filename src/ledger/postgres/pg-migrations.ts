/**
 * The PostgreSQL ledger's schema, as numbered migrations applied in order (meta.schema_version says how
 * far a database has got). The same tables as the SQLite ledger (src/ledger/sqlite/migrations.ts) plus
 * what replicas share: per-table claims and named leases. Times are milliseconds since the epoch
 * (BIGINT). Never edit a shipped migration: add the next one.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE tables (
    id                  BIGSERIAL PRIMARY KEY,
    source              TEXT    NOT NULL,
    src_namespace       TEXT    NOT NULL,
    src_name            TEXT    NOT NULL,
    catalog             TEXT    NOT NULL,
    namespace           TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    desired_state       TEXT    NOT NULL CHECK (desired_state IN ('present', 'absent')),
    desired_location    TEXT,
    desired_uuid        TEXT,
    desired_order       BIGINT  NOT NULL,
    desired_source_time BIGINT  NOT NULL,
    desired_timestamp   BIGINT  NOT NULL,
    desired_confirmed   INTEGER NOT NULL DEFAULT 0,
    rev                 INTEGER NOT NULL DEFAULT 1,
    last_present_location TEXT,
    sent_location       TEXT,
    applied_state       TEXT CHECK (applied_state IN ('present', 'absent')),
    applied_location    TEXT,
    applied_uuid        TEXT,
    applied_timestamp   BIGINT,
    applied_at          BIGINT,
    last_timestamp      BIGINT  NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('pending', 'in_sync', 'failed')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     BIGINT  NOT NULL DEFAULT 0,
    last_error          TEXT,
    last_hint           TEXT,
    owner_conflict      TEXT,
    updated_at          BIGINT  NOT NULL,
    -- The replica working on this table and until when (a claim expires when its replica dies).
    claimed_by          TEXT,
    claimed_until       BIGINT  NOT NULL DEFAULT 0,
    UNIQUE (source, src_namespace, src_name)
  );
  CREATE INDEX tables_due ON tables (next_attempt_at, id) WHERE status <> 'in_sync';
  CREATE INDEX tables_target ON tables (catalog, namespace, name);
  CREATE INDEX tables_uuid ON tables (desired_uuid) WHERE desired_uuid IS NOT NULL;

  CREATE TABLE sources (
    name            TEXT PRIMARY KEY,
    cursor          TEXT,
    pass_started_at BIGINT,
    pass_ended_at   BIGINT,
    pass_complete   INTEGER,
    pass_summary    TEXT,
    last_error      TEXT,
    last_hint       TEXT,
    updated_at      BIGINT NOT NULL
  );

  CREATE TABLE validations (
    catalog      TEXT   NOT NULL,
    location     TEXT   NOT NULL,
    validated_at BIGINT NOT NULL,
    PRIMARY KEY (catalog, location)
  );

  CREATE TABLE adapter_state (
    source TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (source, key)
  );

  -- Named leases: a watcher that must run once (a Hive log reader, a poller, a scan) runs on the
  -- replica holding its lease; the holder renews it, and it passes to another replica when it expires.
  CREATE TABLE leases (
    name         TEXT PRIMARY KEY,
    holder       TEXT   NOT NULL,
    acquired_at  BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
  );
  `,
  `
  -- The X-Request-ID of the table's last operation, and each table's last operations (as in SQLite).
  ALTER TABLE tables ADD COLUMN last_request_id TEXT;
  CREATE TABLE table_operations (
    id         BIGSERIAL PRIMARY KEY,
    table_id   BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    request_id TEXT,
    action     TEXT   NOT NULL,
    outcome    TEXT   NOT NULL,
    detail     TEXT,
    calls      TEXT   NOT NULL
  );
  CREATE INDEX table_operations_by_table ON table_operations (table_id, id);
  `,
  `
  -- Several Polaris targets per source (issue 15): one row per (source table, target), as in SQLite.
  ALTER TABLE tables ADD COLUMN polaris TEXT NOT NULL DEFAULT 'default';
  ALTER TABLE tables ADD COLUMN failure_transient INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE tables DROP CONSTRAINT tables_source_src_namespace_src_name_key;
  ALTER TABLE tables ADD CONSTRAINT tables_source_table_target_key UNIQUE (source, src_namespace, src_name, polaris, catalog);
  `,
  `
  -- The stamp of the latest full pass that listed the table (as in SQLite): drop candidates are the
  -- live rows a complete pass left with an older stamp.
  ALTER TABLE tables ADD COLUMN seen_pass BIGINT;
  `,
  `
  -- What the source's next conditional read needs (an Iceberg REST ETag with what it stands for),
  -- stored with its observation, as in SQLite; the old 'etag:' adapter state is no longer read.
  ALTER TABLE tables ADD COLUMN source_version TEXT;
  DELETE FROM adapter_state WHERE key LIKE 'etag:%';
  `,
  `
  -- A source's failed tables and those waiting to retry after a failed attempt (as in SQLite).
  CREATE INDEX tables_failed ON tables (source, updated_at) WHERE status = 'failed';
  CREATE INDEX tables_retrying ON tables (source, next_attempt_at, id) WHERE status = 'pending' AND last_error IS NOT NULL;
  `,
  `
  -- A retry of every failed table pages through them in (updated_at, id) order (redrive-pages.ts): the
  -- id in the key lets a page start inside a run of rows that failed in the same millisecond.
  DROP INDEX tables_failed;
  CREATE INDEX tables_failed ON tables (source, updated_at, id) WHERE status = 'failed';
  `,
];
