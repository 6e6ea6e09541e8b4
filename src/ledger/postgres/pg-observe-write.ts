import type pg from 'pg';
import type { ObserveResult } from '../ledger.js';
import type { ObservePlan } from '../observe-plan.js';
import { SQL, updateByIdSql } from './pg-sql.js';

/**
 * Writes a plan for a row that exists (a change, or a touch that may settle a claim on the table), the
 * same for the one-by-one and the bulk path; `owner` is the other source holding the table, when the
 * plan needed to know (ownerCheckNeeded). Returns what the observation did.
 */
export async function writeToExistingRow(client: pg.PoolClient, plan: Extract<ObservePlan, { kind: 'change' | 'touch' }>, owner: string | undefined, now: number): Promise<ObserveResult> {
  if (plan.kind === 'change') {
    const { text, params } = updateByIdSql('tables', { ...plan.values }, 'rev = rev + 1, attempts = 0, next_attempt_at = 0');
    await client.query(text, params);
    return plan.result;
  }
  const v = plan.values;
  await client.query(SQL.touchDesired, [v.id, v.desired_order, v.desired_uuid, v.desired_confirmed, v.updated_at, v.source_version]);
  if (!plan.recheckOwner) return 'unchanged';
  if (owner) return 'rejected';
  await client.query(SQL.clearOwner, [v.id, now]);
  return 'accepted';
}
