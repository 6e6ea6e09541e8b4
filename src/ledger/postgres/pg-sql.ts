/**
 * The PostgreSQL ledger's statements: the SQLite ledger's (src/ledger/sqlite/statements.ts) in
 * PostgreSQL's dialect, plus claims. `$n` parameters; a source list is a text[] parameter.
 */
import { REDRIVE_COLUMNS } from '../redrive-pages.js';

const notInSync = `status <> 'in_sync' AND owner_conflict IS NULL`;
const inSources = (n: number) => `($${n}::text[] IS NULL OR source = ANY($${n}::text[]))`;

/** The database's clock in ms: claims and leases compare times from one clock, whatever the hosts' skew. */
export const DB_NOW = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** A row whose source or Polaris table name is in the text array $1. */
const NAMED_ANY = '(src_name = ANY($1::text[]) OR name = ANY($1::text[]))';

export const SQL = {
  byKeyForUpdate: 'SELECT * FROM tables WHERE source = $1 AND src_namespace = $2 AND src_name = $3 AND polaris = $4 AND catalog = $5 FOR UPDATE',
  byId: 'SELECT * FROM tables WHERE id = $1',
  byIdForUpdate: 'SELECT * FROM tables WHERE id = $1 FOR UPDATE',
  ownerOf: `SELECT source FROM tables WHERE catalog = $1 AND namespace = $2 AND name = $3 AND source <> $4 AND polaris = $5
      AND owner_conflict IS NULL AND (desired_state = 'present' OR applied_state = 'present') LIMIT 1`,
  touchDesired: `UPDATE tables SET desired_order = GREATEST(desired_order, $2), desired_uuid = $3, desired_confirmed = $4, updated_at = $5, source_version = $6 WHERE id = $1`,
  clearOwner: `UPDATE tables SET owner_conflict = NULL, status = 'pending', next_attempt_at = 0, attempts = 0,
      last_error = NULL, last_hint = NULL, last_present_location = COALESCE(desired_location, last_present_location),
      updated_at = $2 WHERE id = $1`,
  sourceState: 'SELECT * FROM sources WHERE name = $1',
  setCursor: `INSERT INTO sources (name, cursor, updated_at) VALUES ($1, $2, $3)
      ON CONFLICT (name) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = EXCLUDED.updated_at`,
  recordPass: `INSERT INTO sources (name, pass_started_at, pass_ended_at, pass_complete, pass_summary, last_error, last_hint, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $3)
      ON CONFLICT (name) DO UPDATE SET pass_started_at = EXCLUDED.pass_started_at, pass_ended_at = EXCLUDED.pass_ended_at,
        pass_complete = EXCLUDED.pass_complete, pass_summary = EXCLUDED.pass_summary, last_error = EXCLUDED.last_error,
        last_hint = EXCLUDED.last_hint, updated_at = EXCLUDED.updated_at`,
  adapterState: 'SELECT key, value FROM adapter_state WHERE source = $1',
  setAdapterState: `INSERT INTO adapter_state (source, key, value) VALUES ($1, $2, $3)
      ON CONFLICT (source, key) DO UPDATE SET value = EXCLUDED.value`,
  deleteAdapterState: 'DELETE FROM adapter_state WHERE source = $1 AND key = $2',
  /** Any target's row per table: every row of a source table stores the same observation. */
  sourceVersions: `SELECT DISTINCT ON (src_namespace, src_name) src_namespace, src_name, source_version FROM tables
      WHERE source = $1 AND (src_namespace, src_name) IN (SELECT * FROM unnest($2::text[], $3::text[])) AND source_version IS NOT NULL`,
  liveOfSource: `SELECT DISTINCT src_namespace, src_name FROM tables WHERE source = $1 AND owner_conflict IS NULL
      AND (desired_state = 'present' OR applied_state = 'present')`,
  /** Under a namespace prefix (levels joined with U+001F): the prefix itself or anything below it. */
  liveOfSourceUnder: `SELECT DISTINCT src_namespace, src_name FROM tables WHERE source = $1 AND owner_conflict IS NULL
      AND (desired_state = 'present' OR applied_state = 'present')
      AND (src_namespace = $2 OR left(src_namespace, length($2) + 1) = $2 || chr(31))`,
  /**
   * Claims due tables for this replica: rows another replica holds (an unexpired claim, or a row lock
   * of a claim being taken right now) are skipped, so one table is worked on by one replica at a time.
   * Whole rows come back: the dispatcher converges them as claimed. $8: the tables this replica is
   * working on already (their claims are renewed apart).
   */
  claimDue: `UPDATE tables SET claimed_by = $1, claimed_until = ${DB_NOW} + $2
      WHERE id IN (
        SELECT id FROM tables
        WHERE ${notInSync} AND next_attempt_at <= $3 AND ${inSources(4)} AND ($6::text IS NULL OR polaris = $6::text OR ($7::text[] IS NOT NULL AND polaris <> ALL($7::text[])))
          AND (claimed_until <= ${DB_NOW} OR claimed_by = $1) AND id <> ALL($8::bigint[])
        ORDER BY next_attempt_at, id LIMIT $5
        FOR UPDATE SKIP LOCKED)
      RETURNING *`,
  claimIds: `UPDATE tables SET claimed_by = $1, claimed_until = ${DB_NOW} + $2
      WHERE id IN (SELECT id FROM tables WHERE id = ANY($3::bigint[]) AND (claimed_until <= ${DB_NOW} OR claimed_by = $1) FOR UPDATE SKIP LOCKED)
      RETURNING id`,
 renewClaims: `UPDATE tables SET claimed_until = ${DB_NOW} + $2 WHERE id = ANY($3::bigint[]) AND claimed_by = $1`,
  releaseClaims: 'UPDATE tables SET claimed_by = NULL, claimed_until = 0 WHERE id = ANY($1::bigint[]) AND claimed_by = $2',
  nextAttempt: `SELECT MIN(next_attempt_at) AS at FROM tables WHERE ${notInSync} AND next_attempt_at > $1 AND ${inSources(2)}`,
  unfinished: `SELECT COUNT(*) FILTER (WHERE status = 'pending')::bigint AS pending, COUNT(*) FILTER (WHERE status = 'failed')::bigint AS failed
      FROM tables WHERE ${notInSync} AND ${inSources(1)}`,
  unappliedUpsertOfUuid: `SELECT * FROM tables WHERE catalog = $1 AND desired_uuid = $2 AND id <> $3 AND polaris = $4
      AND desired_state = 'present' AND status <> 'in_sync' AND owner_conflict IS NULL
      ORDER BY (status = 'failed') LIMIT 1`,
  raiseTimestamp: `UPDATE tables SET desired_timestamp = GREATEST(desired_timestamp, $2),
      last_timestamp = GREATEST(last_timestamp, $2), updated_at = $3 WHERE id = $1`,
  markSending: 'UPDATE tables SET sent_location = $2, updated_at = $3 WHERE id = $1',
  rowsOfSource: 'SELECT * FROM tables WHERE source = $1',
  // Rows whose source or Polaris table name is one of $1 (tableNameCandidates), optionally of source $2.
  rowsNamedAny: `SELECT * FROM tables WHERE ${NAMED_ANY}`,
  rowsOfSourceNamedAny: `SELECT * FROM tables WHERE ${NAMED_ANY} AND source = $2`,
  resetOrder: 'UPDATE tables SET desired_order = $2, updated_at = $3 WHERE id = $1',
  counts: `SELECT source,
      COUNT(*) FILTER (WHERE status = 'in_sync' AND desired_state = 'present')::bigint AS in_sync,
      COUNT(*) FILTER (WHERE status = 'pending')::bigint AS pending,
      COUNT(*) FILTER (WHERE status = 'failed')::bigint AS failed,
      COUNT(*) FILTER (WHERE ${notInSync} AND next_attempt_at <= $1)::bigint AS due
    FROM tables GROUP BY source ORDER BY source`,
  failedOfSource: `SELECT * FROM tables WHERE source = $1 AND status = 'failed' ORDER BY updated_at DESC LIMIT $2`,
  retryingOfSource: `SELECT * FROM tables WHERE source = $1 AND status = 'pending' AND last_error IS NOT NULL ORDER BY next_attempt_at, id LIMIT $2`,
  // `retry --table` and a refresh's redrive of chosen rows lock only those rows, not every row not in sync.
  notInSyncNamedAnyForUpdate: `SELECT * FROM tables WHERE status <> 'in_sync' AND ${NAMED_ANY} ORDER BY id FOR UPDATE`,
  notInSyncByIdsForUpdate: `SELECT * FROM tables WHERE status <> 'in_sync' AND id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`,
  // A sync's (or retry --all-failed's) redrive wants the failed rows only: reading every row not in
  // sync would also read (and lock) the pending ones — a whole catalog when a first sync was interrupted.
  failedSources: `SELECT DISTINCT source FROM tables WHERE status = 'failed' ORDER BY source`,
  failedUntil: `SELECT MAX(updated_at) AS until FROM tables WHERE source = $1 AND status = 'failed'`,
  // One page of a redrive (redrive-pages.ts): the rows after the cursor in tables_failed's order, up to
  // the newest failure when the redrive began.
  failedPageForUpdate: `SELECT ${REDRIVE_COLUMNS} FROM tables WHERE source = $1 AND status = 'failed' AND (updated_at, id) > ($2, $3) AND updated_at <= $4
    ORDER BY updated_at, id LIMIT $5 FOR UPDATE`,
  // Every row of a redriven page in one statement: a round trip per row was most of a redrive's time.
  redrive: `UPDATE tables SET status = 'pending', attempts = 0, next_attempt_at = 0, updated_at = $2 WHERE id = ANY($1::bigint[])`,
  recordOperation: `INSERT INTO table_operations (table_id, at, request_id, action, outcome, detail, calls) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  pruneOperations: `DELETE FROM table_operations WHERE table_id = $1 AND id <= (
      SELECT id FROM table_operations WHERE table_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
  operationsOf: 'SELECT * FROM table_operations WHERE table_id = $1 ORDER BY id DESC LIMIT $2',
  validated: 'SELECT 1 FROM validations WHERE catalog = $1 AND location = $2',
  markValidated: `INSERT INTO validations (catalog, location, validated_at) VALUES ($1, $2, $3)
      ON CONFLICT (catalog, location) DO UPDATE SET validated_at = EXCLUDED.validated_at`,
} as const;

/** `INSERT INTO table (cols) VALUES ($1, …) <suffix>` for a record of column values (names from code, never input). */
export function insertSql(table: string, values: Record<string, unknown>, suffix = ''): { text: string; params: unknown[] } {
  const columns = Object.keys(values);
  return {
    text: `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) ${suffix}`,
    params: Object.values(values),
  };
}

/** `UPDATE table SET col = $n, … <extra> WHERE id = $1` for a record of column values that includes id. */
export function updateByIdSql(table: string, values: Record<string, unknown> & { id: number }, extra = ''): { text: string; params: unknown[] } {
  const columns = Object.keys(values).filter((c) => c !== 'id');
  const sets = columns.map((c, i) => `${c} = $${i + 2}`);
  if (extra) sets.push(extra);
  return { text: `UPDATE ${table} SET ${sets.join(', ')} WHERE id = $1`, params: [values.id, ...columns.map((c) => values[c])] };
}
