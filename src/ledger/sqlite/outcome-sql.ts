import { OUTCOME_EXTRA_SETS, type OutcomePlan } from '../outcome-plan.js';

type PlanOf<K extends OutcomePlan['kind']> = Extract<OutcomePlan, { kind: K }>['values'];

/**
 * The columns each outcome's UPDATE sets from its plan, in the order they are bound. Bound by position:
 * better-sqlite3 looks each named parameter up on the values object through V8's C++ API, which costs
 * more than the UPDATE's own work on a hot path that runs once per notification.
 */
const SET_COLUMNS: { readonly [K in OutcomePlan['kind']]: ReadonlyArray<Exclude<keyof PlanOf<K>, 'id'>> } = {
  applied: ['applied_state', 'applied_location', 'applied_uuid', 'applied_timestamp', 'applied_at', 'status', 'last_request_id', 'updated_at'],
  attemptFailed: ['attempts', 'status', 'next_attempt_at', 'last_error', 'last_hint', 'last_request_id', 'failure_transient', 'updated_at'],
  defer: ['next_attempt_at', 'last_error', 'last_request_id', 'updated_at'],
};

/** The UPDATE of one plan kind: its columns as positional parameters, then what the kind clears, then the id. */
export function outcomeUpdateSql(kind: OutcomePlan['kind']): string {
  const sets = SET_COLUMNS[kind].map((column) => `${String(column)} = ?`);
  if (OUTCOME_EXTRA_SETS[kind]) sets.push(OUTCOME_EXTRA_SETS[kind]);
  return `UPDATE tables SET ${sets.join(', ')} WHERE id = ?`;
}

/** The plan's values in the order outcomeUpdateSql binds them. */
export function outcomeUpdateParams(plan: OutcomePlan): unknown[] {
  const values = plan.values as Record<string, unknown>;
  const params = (SET_COLUMNS[plan.kind] as readonly string[]).map((column) => values[column]);
  params.push(plan.values.id);
  return params;
}
