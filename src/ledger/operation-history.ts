import type Database from 'better-sqlite3';
import type { PolarisCall } from '../polaris/operation-context.js';
import type { Outcome } from './outcome.js';

/** The operations kept per table: enough to see what happened lately, bounded whatever the churn. */
export const OPERATIONS_KEPT_PER_TABLE = 20;

/** One past operation on a table, as the console and `status` show it. */
export interface OperationRecord {
  readonly at: number;
  readonly requestId: string | null;
  /** create, update, drop, recovered or none. */
  readonly action: string;
  /** applied, retry, failed or deferred. */
  readonly outcome: string;
  /** The error (retry, failed) or the reason (deferred); null when applied. */
  readonly detail: string | null;
  /** The Polaris requests it made: "POST /api/catalog/v1/…/notifications → 204 (12 ms)". */
  readonly calls: readonly string[];
}

/**
 * The last operations of each table (table_operations, written with the outcome in the same
 * transaction). Statements are prepared on first use, like the ledger's: a read-only look at a ledger
 * from before this table existed answers "no history" instead of failing.
 */
export class OperationHistory {
  private insertStatement: Database.Statement | undefined;
  private pruneStatement: Database.Statement | undefined;

  constructor(private readonly db: Database.Database) {}

  record(outcome: Outcome, action: string, calls: readonly PolarisCall[], now: number): void {
    this.insertStatement ??= this.db.prepare(
      // Bound by position, like the outcome's UPDATE: both run once per notification.
      'INSERT INTO table_operations (table_id, at, request_id, action, outcome, detail, calls) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.pruneStatement ??= this.db.prepare(
      `DELETE FROM table_operations WHERE table_id = ? AND id <= (
         SELECT id FROM table_operations WHERE table_id = ? ORDER BY id DESC LIMIT 1 OFFSET ${OPERATIONS_KEPT_PER_TABLE})`,
    );
    const detail = outcome.kind === 'retry' || outcome.kind === 'failed' ? outcome.error : outcome.kind === 'deferred' ? outcome.reason : null;
    this.insertStatement.run(outcome.id, now, outcome.requestId ?? null, action, outcome.kind, detail, JSON.stringify(calls.map(describeCall)));
    this.pruneStatement.run(outcome.id, outcome.id);
  }

  /** The table's last operations, newest first. */
  of(tableId: number): OperationRecord[] {
    if (!this.exists()) return [];
    const rows = this.db
      .prepare('SELECT * FROM table_operations WHERE table_id = ? ORDER BY id DESC LIMIT ?')
      .all(tableId, OPERATIONS_KEPT_PER_TABLE) as Array<Record<string, unknown>>;
    return rows.map(toOperationRecord);
  }

  private exists(): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'table_operations'").get() !== undefined;
  }
}

export function describeCall(call: PolarisCall): string {
  return `${call.method} ${call.path} → ${call.status} (${call.durationMs} ms)`;
}

/** A row of `table_operations` as either driver returns it (the columns are the same in both ledgers). */
export function toOperationRecord(r: Record<string, unknown>): OperationRecord {
  return {
    at: r.at as number,
    requestId: r.request_id as string | null,
    action: r.action as string,
    outcome: r.outcome as string,
    detail: r.detail as string | null,
    calls: JSON.parse((r.calls as string | null) ?? '[]') as string[],
  };
}
