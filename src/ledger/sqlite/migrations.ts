import type Database from 'better-sqlite3';
import { widenTablesKey } from './widen-tables-key.js';

/** A migration: SQL, or a step that needs to look at the file first (SQLite cannot alter every constraint). */
export type Migration = string | ((db: Database.Database) => void);

/**
 * The ledger's schema, as numbered migrations applied in order at open (meta.schema_version says how
 * far a file has got; the meta table itself is created before them). Never edit a shipped migration:
 * add the next one.
 */
export const MIGRATIONS: readonly Migration[] = [
  `
  -- One row per table a source has ever mentioned. Rows are never deleted: a dropped table keeps its
  -- last timestamp (so timestamps keep rising) and its order (so a late, older event cannot resurrect it).
  CREATE TABLE tables (
    id                  INTEGER PRIMARY KEY,
    source              TEXT    NOT NULL,
    src_namespace       TEXT    NOT NULL,  -- source levels joined with U+001F
    src_name            TEXT    NOT NULL,
    catalog             TEXT    NOT NULL,
    namespace           TEXT    NOT NULL,  -- Polaris levels joined with U+001F
    name                TEXT    NOT NULL,
    -- desired: the newest observation
    desired_state       TEXT    NOT NULL CHECK (desired_state IN ('present', 'absent')),
    desired_location    TEXT,
    desired_uuid        TEXT,              -- the latest known Iceberg UUID; kept when the table goes absent
    desired_order       INTEGER NOT NULL,
    desired_source_time INTEGER NOT NULL,
    desired_timestamp   INTEGER NOT NULL,  -- the Polaris timestamp assigned to this desired state
    desired_confirmed   INTEGER NOT NULL DEFAULT 0,
    rev                 INTEGER NOT NULL DEFAULT 1,  -- bumps on every change of desired
    last_present_location TEXT,            -- the latest desired metadata location: a DROP checks Polaris holds it
    -- applied: what Polaris last accepted (NULL: never sent)
    applied_state       TEXT CHECK (applied_state IN ('present', 'absent')),
    applied_location    TEXT,
    applied_uuid        TEXT,
    applied_timestamp   INTEGER,
    applied_at          INTEGER,
    last_timestamp      INTEGER NOT NULL,  -- highest timestamp ever assigned: only rises
    status              TEXT    NOT NULL CHECK (status IN ('pending', 'in_sync', 'failed')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT,
    last_hint           TEXT,
    owner_conflict      TEXT,              -- another source already mirrors this Polaris table
    updated_at          INTEGER NOT NULL,
    UNIQUE (source, src_namespace, src_name)
  );
  CREATE INDEX tables_due ON tables (next_attempt_at, id) WHERE status <> 'in_sync';
  CREATE INDEX tables_target ON tables (catalog, namespace, name);
  CREATE INDEX tables_uuid ON tables (desired_uuid) WHERE desired_uuid IS NOT NULL;

  CREATE TABLE sources (
    name            TEXT PRIMARY KEY,
    cursor          TEXT,
    pass_started_at INTEGER,
    pass_ended_at   INTEGER,
    pass_complete   INTEGER,
    pass_summary    TEXT,     -- JSON: listed, skipped by reason, drop candidates
    last_error      TEXT,
    last_hint       TEXT,
    updated_at      INTEGER NOT NULL
  );

  -- Successful VALIDATE results per catalog and table location, so restarts do not repeat them.
  CREATE TABLE validations (
    catalog      TEXT NOT NULL,
    location     TEXT NOT NULL,
    validated_at INTEGER NOT NULL,
    PRIMARY KEY (catalog, location)
  );

  -- The process allowed to send (run, sync, retry): two senders would break "one operation per table".
  CREATE TABLE lease (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    pid          INTEGER NOT NULL,
    host         TEXT    NOT NULL,
    command      TEXT    NOT NULL,
    heartbeat_at INTEGER NOT NULL
  );
  `,
  `
  -- Adapters' own state (e.g. an Iceberg REST source's ETags), committed with the observations.
  CREATE TABLE adapter_state (
    source TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (source, key)
  );
  `,
  `
  -- A CREATE about to be sent for a table Polaris has not confirmed yet. If the process dies after
  -- Polaris applied it but before the outcome was recorded, this still proves the table is ours to drop.
  ALTER TABLE tables ADD COLUMN sent_location TEXT;
  `,
  `
  -- The X-Request-ID of the table's last operation: finds it in Polaris's logs (shown with last_error).
  ALTER TABLE tables ADD COLUMN last_request_id TEXT;
  -- The last operations of each table (bounded per table, see src/ledger/operation-history.ts).
  CREATE TABLE table_operations (
    id         INTEGER PRIMARY KEY,
    table_id   INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    request_id TEXT,
    action     TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    detail     TEXT,
    calls      TEXT    NOT NULL  -- JSON array of "METHOD path → status (ms)"
  );
  CREATE INDEX table_operations_by_table ON table_operations (table_id, id);
  `,
  `
  -- Several Polaris targets per source (issue 15): one row per (source table, target). The row's
  -- catalog/namespace/name already name its table on the target; polaris names the instance.
  ALTER TABLE tables ADD COLUMN polaris TEXT NOT NULL DEFAULT 'default';
  -- 1 when the table failed only because its target was unreachable or failing (network, 5xx, 429):
  -- it is retried as soon as that target answers again.
  ALTER TABLE tables ADD COLUMN failure_transient INTEGER NOT NULL DEFAULT 0;
  `,
  widenTablesKey,
  `
  -- The stamp of the latest full pass that listed the table (rows are never lowered): after a complete
  -- pass, live rows with an older stamp are its drop candidates, decided here rather than in memory.
  ALTER TABLE tables ADD COLUMN seen_pass INTEGER;
  `,
  `
  -- What the source's next conditional read needs to be answered "unchanged" (an Iceberg REST ETag
  -- with the observation it stands for), stored with the observation it came with: a source keeps no
  -- per-table state in memory, and it survives restarts. The REST source used to keep it in
  -- adapter_state ('etag:' keys), which is no longer read.
  ALTER TABLE tables ADD COLUMN source_version TEXT;
  DELETE FROM adapter_state WHERE key LIKE 'etag:%';
  `,
  `
  -- status's and the console's lists of a source's failed and retrying tables: few, and without these
  -- indexes found by reading every row of the source (failed) or after all its other pending rows
  -- (retrying), on the daemon's event loop when the console asks.
  CREATE INDEX tables_failed ON tables (source, updated_at) WHERE status = 'failed';
  CREATE INDEX tables_retrying ON tables (source, next_attempt_at, id) WHERE status = 'pending' AND last_error IS NOT NULL;
  `,
];
