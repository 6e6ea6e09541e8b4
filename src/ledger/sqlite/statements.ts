import type Database from 'better-sqlite3';
import type { WriteHealth } from '../write-health.js';
import { changeDesiredSql, touchDesiredSql } from './change-desired-sql.js';
import { OUTCOME_COLUMNS } from '../outcome-plan.js';
import { outcomeUpdateSql } from './outcome-sql.js';
import { REDRIVE_COLUMNS } from '../redrive-pages.js';
import { MARK_REFILL_SQL, REDRIVE_TRANSIENT_SQL, TARGET_COUNTS_SQL, TARGET_ROW_HELD } from '../target-sql.js';

export type Statements = { [K in keyof ReturnType<typeof statementSql>]: Database.Statement };


/**
 * The ledger's statements, prepared on first use: a read-only connection to a ledger written by an
 * older version (before its migrations ran) must still open and answer what it can.
 */
export function prepareStatements(db: Database.Database, health: WriteHealth): Statements {
  const sql = statementSql();
  const prepared = new Map<string, Database.Statement>();
  return new Proxy({} as { [K in keyof typeof sql]: Database.Statement }, {
    get: (_, name: string) => {
      let statement = prepared.get(name);
      if (!statement) {
        statement = watchWrites(db.prepare(sql[name as keyof typeof sql]), db, health);
        prepared.set(name, statement);
      }
      return statement;
    },
  });
}

/**
 * A write outside a transaction commits on its own (a lease heartbeat, a VALIDATE mark): its outcome
 * is the ledger's write health. Inside a transaction, the outermost commit reports it (Ledger.transaction).
 */
function watchWrites(statement: Database.Statement, db: Database.Database, health: WriteHealth): Database.Statement {
  if (statement.reader) return statement;
  const run = statement.run.bind(statement);
  statement.run = ((...params: unknown[]) => {
    if (db.inTransaction) return run(...params);
    try {
      const result = run(...params);
      health.succeeded();
      return result;
    } catch (error) {
      health.failed(error);
      throw error;
    }
  }) as typeof statement.run;
  return statement;
}

/** A row whose source or Polaris table name is in the JSON array @names. */
const NAMED_ANY = '(src_name IN (SELECT value FROM json_each(@names)) OR name IN (SELECT value FROM json_each(@names)))';

/** Every statement's SQL by name (exported for the tests that check which index a statement uses). */
export function statementSql() {
  const notInSyncFilter = `status <> 'in_sync' AND owner_conflict IS NULL`;
  // The unary + keeps SQLite from choosing the (source, …) index for this filter: the due and
  // next-attempt queries must walk tables_due, or a sync of one large source turns quadratic.
  const inSources = `+source IN (SELECT value FROM json_each(?))`;
  return {
    byKey: 'SELECT * FROM tables WHERE source = ? AND src_namespace = ? AND src_name = ? AND polaris = ? AND catalog = ?',
    byId: 'SELECT * FROM tables WHERE id = ?',
    // Only what planOutcome reads: materialising every column of the row costs more than the lookup.
    outcomeOf: `SELECT ${OUTCOME_COLUMNS.join(', ')} FROM tables WHERE id = ?`,
    insert: `INSERT INTO tables (source, polaris, src_namespace, src_name, catalog, namespace, name, desired_state, desired_location,
        desired_uuid, desired_order, desired_source_time, desired_timestamp, desired_confirmed, source_version, last_present_location, last_timestamp,
        status, last_error, last_hint, owner_conflict, updated_at)
      VALUES (@source, @polaris, @src_namespace, @src_name, @catalog, @namespace, @name, @desired_state, @desired_location, @desired_uuid,
        @desired_order, @desired_source_time, @desired_timestamp, @desired_confirmed, @source_version, @last_present_location, @last_timestamp, @status,
        @last_error, @last_hint, @owner_conflict, @updated_at)`,
    touchDesired: touchDesiredSql({ setUuid: true }),
    touchKeepingUuid: touchDesiredSql({ setUuid: false }),
    changeDesired: changeDesiredSql({ setUuid: true, setDue: true }),
    ownerOf: `SELECT source FROM tables WHERE catalog = ? AND namespace = ? AND name = ? AND source <> ? AND polaris = ?
        AND owner_conflict IS NULL AND (desired_state = 'present' OR applied_state = 'present') LIMIT 1`,
    clearOwner: `UPDATE tables SET owner_conflict = NULL, status = 'pending', next_attempt_at = 0, attempts = 0,
        last_error = NULL, last_hint = NULL, last_present_location = COALESCE(desired_location, last_present_location),
        updated_at = @updated_at WHERE id = @id`,
    sourceState: 'SELECT * FROM sources WHERE name = ?',
    upsertSource: 'INSERT INTO sources (name, updated_at) VALUES (@name, @updated_at) ON CONFLICT (name) DO NOTHING',
    setCursor: 'UPDATE sources SET cursor = @cursor, updated_at = @updated_at WHERE name = @name',
    recordPass: `UPDATE sources SET pass_started_at = @pass_started_at, pass_ended_at = @pass_ended_at,
        pass_complete = @pass_complete, pass_summary = @pass_summary, last_error = @last_error, last_hint = @last_hint,
        updated_at = @updated_at WHERE name = @name`,
    nextAttempt: `SELECT MIN(next_attempt_at) AS at FROM tables WHERE ${notInSyncFilter} AND next_attempt_at > ?`,
    nextAttemptForSources: `SELECT MIN(next_attempt_at) AS at FROM tables WHERE ${notInSyncFilter} AND next_attempt_at > ? AND ${inSources}`,
    unfinished: `SELECT SUM(status = 'pending') AS pending, SUM(status = 'failed') AS failed FROM tables WHERE ${notInSyncFilter}`,
    unfinishedForSources: `SELECT SUM(status = 'pending') AS pending, SUM(status = 'failed') AS failed FROM tables WHERE ${notInSyncFilter} AND ${inSources}`,
    unappliedUpsertOfUuid: `SELECT * FROM tables WHERE catalog = ? AND desired_uuid = ? AND id <> ? AND polaris = ?
        AND desired_state = 'present' AND status <> 'in_sync' AND owner_conflict IS NULL
        ORDER BY status = 'failed' LIMIT 1`,
    raiseTimestamp: `UPDATE tables SET desired_timestamp = MAX(desired_timestamp, @timestamp),
        last_timestamp = MAX(last_timestamp, @timestamp), updated_at = @updated_at WHERE id = @id`,
    markSending: 'UPDATE tables SET sent_location = ?, updated_at = ? WHERE id = ?',
    // An outcome's UPDATE, one per plan kind, bound by position (see outcome-sql.ts).
    applied: outcomeUpdateSql('applied'),
    attemptFailed: outcomeUpdateSql('attemptFailed'),
    defer: outcomeUpdateSql('defer'),
    rowsOfSource: 'SELECT * FROM tables WHERE source = ?',
    // Rows whose source or Polaris table name is one of a JSON array of candidates (tableNameCandidates).
    rowsNamedAny: `SELECT * FROM tables WHERE ${NAMED_ANY}`,
    rowsOfSourceNamedAny: `SELECT * FROM tables WHERE source = @source AND ${NAMED_ANY}`,
    resetOrder: 'UPDATE tables SET desired_order = @order, updated_at = @updated_at WHERE id = @id',
    // One span of rowids at a time (SqliteLedger.counts): a scrape of /metrics must not hold the event
    // loop for a walk over every row of a large ledger. `due` is the dispatcher's notion (isDue), as a
    // CASE that stops at an in-sync row's status: most rows of a large ledger are in sync.
    countsInSpan: `SELECT source,
        SUM(status = 'in_sync' AND desired_state = 'present') AS in_sync,
        SUM(status = 'pending') AS pending,
        SUM(status = 'failed') AS failed,
        SUM(CASE WHEN status = 'in_sync' THEN 0 WHEN owner_conflict IS NULL AND next_attempt_at <= @now THEN 1 ELSE 0 END) AS due
      FROM tables WHERE id > @after AND id <= @until GROUP BY source`,
    maxId: 'SELECT COALESCE(MAX(id), 0) FROM tables',
    // Each WHERE is its partial index's (tables_failed, tables_retrying), so the index answers it: a seek,
    // the rows in its order, however many other rows the source has.
    failedOfSource: `SELECT * FROM tables WHERE source = ? AND status = 'failed' ORDER BY updated_at DESC LIMIT ?`,
    retryingOfSource: `SELECT * FROM tables WHERE source = ? AND status = 'pending' AND last_error IS NOT NULL ORDER BY next_attempt_at, id LIMIT ?`,
    notInSyncNamedAny: `SELECT * FROM tables WHERE status <> 'in_sync' AND ${NAMED_ANY}`,
    // A sync's (or retry --all-failed's) redrive wants the failed rows only, a page at a time (see
    // redrive-pages.ts), each page two seeks of tables_failed (source, updated_at, rowid): the rest of
    // the cursor's updated_at, then the later ones up to the newest failure when the redrive began.
    failedSources: `SELECT DISTINCT source FROM tables WHERE status = 'failed' ORDER BY source`,
    failedUntil: `SELECT MAX(updated_at) FROM tables WHERE source = ? AND status = 'failed'`,
    failedPageSameTime: `SELECT ${REDRIVE_COLUMNS} FROM tables WHERE source = ? AND status = 'failed' AND updated_at = ? AND id > ? ORDER BY id LIMIT ?`,
    failedPageLater: `SELECT ${REDRIVE_COLUMNS} FROM tables WHERE source = ? AND status = 'failed' AND updated_at > ? AND updated_at <= ? ORDER BY updated_at, id LIMIT ?`,
    // Every row of a redriven page in one statement (an UPDATE per row was most of a redrive's time).
    redrive: `UPDATE tables SET status = 'pending', attempts = 0, next_attempt_at = 0, updated_at = @updated_at
        WHERE id IN (SELECT value FROM json_each(@ids))`,
    redriveTransient: `${REDRIVE_TRANSIENT_SQL.replace(/\$1/g, '@polaris').replace(/\$2/g, '@now')}`,
    targetCounts: TARGET_COUNTS_SQL,
    // The target's namespaces by skipping through the (catalog, namespace, name) index: the next namespace
    // is one seek, and whether the sources have a row there on this instance reads that namespace's rows
    // only until the first match. A DISTINCT over the catalog read every row of it (1,000,000 at once,
    // holding the event loop for most of a second).
    firstTargetNamespace: 'SELECT MIN(namespace) FROM tables WHERE catalog = ?',
    nextTargetNamespace: 'SELECT MIN(namespace) FROM tables WHERE catalog = ? AND namespace > ?',
    targetNamespaceHeld: `SELECT EXISTS (SELECT 1 FROM tables WHERE catalog = ? AND namespace = ? AND polaris = ? AND ${inSources})`,
    targetRowsFirst: `SELECT id, name, applied_at, ${TARGET_ROW_HELD} AS held FROM tables
        WHERE catalog = ? AND namespace = ? AND polaris = ? AND ${inSources} ORDER BY name, id LIMIT ?`,
    targetRowsAfter: `SELECT id, name, applied_at, ${TARGET_ROW_HELD} AS held FROM tables
        WHERE catalog = ? AND namespace = ? AND name >= ? AND polaris = ? AND ${inSources} AND (name > ? OR id > ?) ORDER BY name, id LIMIT ?`,
    markRefill: MARK_REFILL_SQL.replace(/\$1/g, '@id').replace(/\$2/g, '@now'),
    validated: 'SELECT 1 FROM validations WHERE catalog = ? AND location = ?',
    markValidated: `INSERT INTO validations (catalog, location, validated_at) VALUES (?, ?, ?)
        ON CONFLICT (catalog, location) DO UPDATE SET validated_at = excluded.validated_at`,
    adapterState: 'SELECT key, value FROM adapter_state WHERE source = ?',
    setAdapterState: `INSERT INTO adapter_state (source, key, value) VALUES (?, ?, ?)
        ON CONFLICT (source, key) DO UPDATE SET value = excluded.value`,
    deleteAdapterState: 'DELETE FROM adapter_state WHERE source = ? AND key = ?',
    // Any target's row: every row of a source table stores the same observation.
    sourceVersion: `SELECT source_version FROM tables WHERE source = ? AND src_namespace = ? AND src_name = ?
        AND source_version IS NOT NULL LIMIT 1`,
    liveOfSource: `SELECT DISTINCT src_namespace, src_name FROM tables WHERE source = ? AND owner_conflict IS NULL
        AND (desired_state = 'present' OR applied_state = 'present')`,
    // Under a namespace prefix (levels joined with U+001F): the prefix itself or anything below it.
    liveOfSourceUnder: `SELECT DISTINCT src_namespace, src_name FROM tables WHERE source = @source AND owner_conflict IS NULL
        AND (desired_state = 'present' OR applied_state = 'present')
        AND (src_namespace = @prefix OR substr(src_namespace, 1, length(@prefix) + 1) = @prefix || char(31))`,
    lease: 'SELECT * FROM lease WHERE id = 1',
    takeLease: `INSERT INTO lease (id, pid, host, command, heartbeat_at) VALUES (1, @pid, @host, @command, @heartbeat_at)
        ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, command = excluded.command,
        heartbeat_at = excluded.heartbeat_at`,
    heartbeat: 'UPDATE lease SET heartbeat_at = @heartbeat_at WHERE id = 1 AND pid = @pid AND host = @host',
    releaseLease: 'DELETE FROM lease WHERE id = 1 AND pid = @pid AND host = @host',
  };
}
