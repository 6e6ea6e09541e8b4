import type { Outcome } from './outcome.js';
import { desiredMatchesApplied, type TableRecord } from './rows.js';

/** SQL each plan kind sets besides its values (what an applied state clears). */
export const OUTCOME_EXTRA_SETS: Record<OutcomePlan['kind'], string> = {
  applied: 'sent_location = NULL, attempts = 0, next_attempt_at = 0, last_error = NULL, last_hint = NULL, failure_transient = 0',
  attemptFailed: '',
  defer: 'last_hint = NULL',
};

/**
 * The row update an attempt's outcome makes, decided the same way by every ledger. When the source
 * changed the table meanwhile (its rev moved on), the table goes straight back to pending.
 */
export type OutcomePlan =
  | {
      readonly kind: 'applied';
      readonly values: {
        id: number;
        applied_state: 'present' | 'absent';
        applied_location: string | null;
        applied_uuid: string | null;
        applied_timestamp: number | null;
        applied_at: number;
        status: 'in_sync' | 'pending';
        last_request_id: string | null;
        updated_at: number;
      };
    }
  | {
      readonly kind: 'attemptFailed';
      readonly values: {
        id: number;
        attempts: number;
        status: 'pending' | 'failed';
        next_attempt_at: number;
        last_error: string;
        last_hint: string | null;
        last_request_id: string | null;
        failure_transient: number;
        updated_at: number;
      };
    }
  | { readonly kind: 'defer'; readonly values: { id: number; next_attempt_at: number; last_error: string; last_request_id: string | null; updated_at: number } };

/** The columns of the stored row an outcome's plan looks at (the SQLite ledger reads only these). */
export const OUTCOME_COLUMNS = ['rev', 'last_request_id', 'desired_state', 'desired_location', 'last_present_location', 'attempts'] as const;

export function planOutcome(outcome: Outcome, current: Pick<TableRecord, (typeof OUTCOME_COLUMNS)[number]>, now: number): OutcomePlan {
  const changedMeanwhile = 'rev' in outcome && outcome.rev !== current.rev;
  // The request id of the latest operation that made one (a deferral may make none).
  const last_request_id = outcome.requestId ?? current.last_request_id ?? null;
  switch (outcome.kind) {
    case 'applied': {
      const a = outcome.applied;
      const nowInSync =
        !changedMeanwhile &&
        desiredMatchesApplied({
          desired: { state: current.desired_state, metadataLocation: current.desired_location },
          applied: { state: a.state, metadataLocation: a.metadataLocation },
          lastPresentLocation: current.last_present_location,
        });
      return {
        kind: 'applied',
        values: {
          id: outcome.id,
          applied_state: a.state,
          applied_location: a.metadataLocation,
          applied_uuid: a.tableUuid,
          applied_timestamp: a.timestamp,
          applied_at: now,
          status: nowInSync ? 'in_sync' : 'pending',
          last_request_id,
          updated_at: now,
        },
      };
    }
    case 'retry':
    case 'failed':
      return {
        kind: 'attemptFailed',
        values: {
          id: outcome.id,
          attempts: changedMeanwhile ? 0 : current.attempts + 1,
          status: outcome.kind === 'failed' && !changedMeanwhile ? 'failed' : 'pending',
          next_attempt_at: changedMeanwhile ? 0 : now + outcome.delayMs,
          last_error: outcome.error,
          last_hint: outcome.hint ?? null,
          last_request_id,
          failure_transient: outcome.kind === 'failed' && outcome.transient === true ? 1 : 0,
          updated_at: now,
        },
      };
    case 'deferred':
      return { kind: 'defer', values: { id: outcome.id, next_attempt_at: now + outcome.delayMs, last_error: outcome.reason, last_request_id, updated_at: now } };
  }
}
