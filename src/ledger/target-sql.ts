/**
 * Per-target statements both ledgers share (the SQL is plain enough for SQLite and PostgreSQL alike).
 * $1 is the Polaris instance, $2 the time now in ms.
 */

/**
 * A target answers again: its tables that failed only because it was unreachable or failing, and
 * those waiting out a retry delay, are due now. A table another source owns is left alone.
 */
export const REDRIVE_TRANSIENT_SQL = `UPDATE tables SET
    attempts = CASE WHEN status = 'failed' THEN 0 ELSE attempts END,
    status = 'pending', next_attempt_at = 0, failure_transient = 0, updated_at = $2
  WHERE polaris = $1 AND owner_conflict IS NULL
    AND ((status = 'failed' AND failure_transient = 1) OR (status = 'pending' AND attempts > 0 AND next_attempt_at > $2))`;

/** Each source's tables per target: total (present or wanted present), in sync, pending, failed. */
export const TARGET_COUNTS_SQL = `SELECT source, polaris, catalog,
    SUM(CASE WHEN desired_state = 'present' OR applied_state = 'present' OR status <> 'in_sync' THEN 1 ELSE 0 END) AS total,
    SUM(CASE WHEN status = 'in_sync' AND desired_state = 'present' THEN 1 ELSE 0 END) AS in_sync,
    SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
    SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed
  FROM tables GROUP BY source, polaris, catalog ORDER BY source, polaris, catalog`;

/**
 * The target lost a table the ledger says it holds (restored from an old backup, rebuilt empty, dropped
 * by hand): the row is sent again as a CREATE. Its timestamps keep rising: the resend gets one above
 * every timestamp this target was ever given for the table. $1 is the row id here, $2 the time now.
 */
export const MARK_REFILL_SQL = `UPDATE tables SET applied_state = NULL, applied_location = NULL, applied_timestamp = NULL,
    applied_at = NULL, sent_location = NULL, status = 'pending', attempts = 0, next_attempt_at = 0, failure_transient = 0,
    desired_timestamp = last_timestamp + 1, last_timestamp = last_timestamp + 1, last_error = NULL, last_hint = NULL, updated_at = $2
  WHERE id = $1 AND status = 'in_sync' AND desired_state = 'present' AND applied_state = 'present'`;

/** One ledger row of a target as the target check pages through it (only what the comparison needs). */
export interface TargetPageRow {
  readonly id: number;
  readonly name: string;
  /** The ledger says the target holds it: in sync, wanted present, applied present. */
  readonly held: boolean;
  /** When it was last applied (ms); a table applied after a listing began may be missing from it. */
  readonly appliedAt: number | null;
}

/** Which rows of a target the check reads: one namespace's rows of some sources, in name order, after a key. */
export interface TargetPageQuery {
  readonly polaris: string;
  readonly catalog: string;
  /** Polaris namespace levels joined (joinNamespace). */
  readonly namespace: string;
  readonly sources: readonly string[];
  /** Start after this (name, id); undefined from the start. */
  readonly after?: { readonly name: string; readonly id: number };
  readonly limit: number;
}

/** The record a page query returns (both ledgers), to a TargetPageRow. */
export function toTargetPageRow(r: { id: number | string; name: string; held: number | boolean; applied_at: number | string | null }): TargetPageRow {
  return { id: Number(r.id), name: r.name, held: r.held === true || Number(r.held) === 1, appliedAt: r.applied_at === null ? null : Number(r.applied_at) };
}

/** The held flag, as SQL both ledgers evaluate. */
export const TARGET_ROW_HELD = `CASE WHEN status = 'in_sync' AND desired_state = 'present' AND applied_state = 'present' THEN 1 ELSE 0 END`;
