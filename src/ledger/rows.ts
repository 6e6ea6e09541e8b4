import type { PolarisTable, SourceTable } from '../model/table.js';
import { splitNamespace } from '../model/table.js';

export type TableStatus = 'pending' | 'in_sync' | 'failed';

/** One mirrored table: what the source wants (desired) and what Polaris accepted (applied). */
export interface MirrorRow {
  readonly id: number;
  readonly source: string;
  readonly table: SourceTable;
  /** The Polaris instance of the target ("default": the polaris block). */
  readonly polaris: string;
  readonly target: PolarisTable;
  readonly desired: {
    readonly state: 'present' | 'absent';
    readonly metadataLocation: string | null;
    readonly tableUuid: string | null;
    readonly order: number;
    readonly sourceTimeMs: number;
    readonly timestamp: number;
    readonly confirmed: boolean;
  };
  readonly rev: number;
  /** The latest metadata location the source ever wanted; with applied, what Polaris may hold of ours. */
  readonly lastPresentLocation: string | null;
  /** A CREATE sent (or about to be) that Polaris has not confirmed: the table may be in Polaris already. */
  readonly sentLocation: string | null;
  readonly applied: {
    readonly state: 'present' | 'absent' | null;
    readonly metadataLocation: string | null;
    readonly tableUuid: string | null;
    readonly timestamp: number | null;
    readonly at: number | null;
  };
  readonly lastTimestamp: number;
  readonly status: TableStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly lastHint: string | null;
  /** The X-Request-ID of the last operation (null before any, or in a ledger from an older version). */
  readonly lastRequestId: string | null;
  readonly ownerConflict: string | null;
  /** Failed only because the target was unreachable or failing: retried as soon as it answers again. */
  readonly failureTransient: boolean;
  readonly updatedAt: number;
}

/** The SQL row as better-sqlite3 returns it. */
export interface TableRecord {
  id: number;
  source: string;
  src_namespace: string;
  src_name: string;
  catalog: string;
  namespace: string;
  name: string;
  desired_state: 'present' | 'absent';
  desired_location: string | null;
  desired_uuid: string | null;
  desired_order: number;
  desired_source_time: number;
  desired_timestamp: number;
  desired_confirmed: number;
  rev: number;
  last_present_location: string | null;
  sent_location: string | null;
  applied_state: 'present' | 'absent' | null;
  applied_location: string | null;
  applied_uuid: string | null;
  applied_timestamp: number | null;
  applied_at: number | null;
  last_timestamp: number;
  status: TableStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  last_hint: string | null;
  last_request_id?: string | null;
  owner_conflict: string | null;
  polaris?: string;
  failure_transient?: number;
  updated_at: number;
}

export function toMirrorRow(r: TableRecord): MirrorRow {
  return {
    id: r.id,
    source: r.source,
    table: { namespace: splitNamespace(r.src_namespace), name: r.src_name },
    polaris: r.polaris ?? 'default',
    target: { catalog: r.catalog, namespace: splitNamespace(r.namespace), name: r.name },
    desired: {
      state: r.desired_state,
      metadataLocation: r.desired_location,
      tableUuid: r.desired_uuid,
      order: r.desired_order,
      sourceTimeMs: r.desired_source_time,
      timestamp: r.desired_timestamp,
      confirmed: r.desired_confirmed === 1,
    },
    rev: r.rev,
    lastPresentLocation: r.last_present_location,
    sentLocation: r.sent_location,
    applied: {
      state: r.applied_state,
      metadataLocation: r.applied_location,
      tableUuid: r.applied_uuid,
      timestamp: r.applied_timestamp,
      at: r.applied_at,
    },
    lastTimestamp: r.last_timestamp,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    lastHint: r.last_hint,
    lastRequestId: r.last_request_id ?? null,
    ownerConflict: r.owner_conflict,
    failureTransient: r.failure_transient === 1,
    updatedAt: r.updated_at,
  };
}

/** Whether Polaris already holds what the source wants. */
export interface SyncCheck {
  readonly desired: Pick<MirrorRow['desired'], 'state' | 'metadataLocation'>;
  readonly applied: Pick<MirrorRow['applied'], 'state' | 'metadataLocation'>;
  readonly lastPresentLocation: string | null;
}

export function desiredMatchesApplied(row: SyncCheck): boolean {
  // Absent: in sync once dropped, or when nothing was ever wanted present (a tombstone). A table wanted
  // present but never confirmed applied may still have reached Polaris before a crash: it needs a check.
  if (row.desired.state === 'absent') return row.applied.state === 'absent' || (row.applied.state === null && row.lastPresentLocation === null);
  return row.applied.state === 'present' && row.applied.metadataLocation === row.desired.metadataLocation;
}
