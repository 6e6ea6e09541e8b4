import type { SourceState } from './ledger.js';

/** A row of the `sources` table as either driver returns it (the columns are the same in both ledgers). */
export type SourceStateRecord = Record<string, unknown>;

export function toSourceState(r: SourceStateRecord): SourceState {
  return {
    name: r.name as string,
    cursor: r.cursor as string | null,
    passStartedAt: r.pass_started_at as number | null,
    passEndedAt: r.pass_ended_at as number | null,
    passComplete: r.pass_complete === null ? null : r.pass_complete === 1,
    passSummary: r.pass_summary ? JSON.parse(r.pass_summary as string) : null,
    lastError: r.last_error as string | null,
    lastHint: r.last_hint as string | null,
  };
}
