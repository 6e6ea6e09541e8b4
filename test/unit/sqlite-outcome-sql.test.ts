// The SQLite ledger binds an outcome's UPDATE by position: every value a plan carries must be bound, in
// the order of the SQL's placeholders, with the id last.
import { describe, expect, it } from 'vitest';
import { planOutcome, type OutcomePlan } from '../../src/ledger/outcome-plan.js';
import type { Outcome } from '../../src/ledger/outcome.js';
import { outcomeUpdateParams, outcomeUpdateSql } from '../../src/ledger/sqlite/outcome-sql.js';

const current = { rev: 3, last_request_id: 'earlier', desired_state: 'present' as const, desired_location: 's3://b/t/m.json', last_present_location: 's3://b/t/m.json', attempts: 1 };
const outcomes: Outcome[] = [
  { kind: 'applied', id: 7, rev: 3, requestId: 'r1', applied: { state: 'present', metadataLocation: 's3://b/t/m.json', tableUuid: 'u', timestamp: 5 } },
  { kind: 'retry', id: 7, rev: 3, error: 'busy', hint: 'wait', delayMs: 100 },
  { kind: 'failed', id: 7, rev: 3, error: 'refused', hint: 'fix it', delayMs: 100, transient: true },
  { kind: 'deferred', id: 7, delayMs: 250, reason: 'renamed' },
];

describe('an outcome UPDATE bound by position', () => {
  it.each(outcomes.map((outcome) => [outcome.kind, planOutcome(outcome, current, 1_000)] as const))('%s: each value of the plan in its placeholder, the id last', (_kind, plan: OutcomePlan) => {
    const sql = outcomeUpdateSql(plan.kind);
    const params = outcomeUpdateParams(plan);
    const columns = [...sql.split(' WHERE ')[0]!.matchAll(/(\w+) = \?/g)].map((m) => m[1]);
    expect(columns.length + 1).toBe(params.length);
    expect(sql).toMatch(/WHERE id = \?$/);
    const values = plan.values as Record<string, unknown>;
    expect(Object.fromEntries(columns.map((column, i) => [column, params[i]]))).toEqual(Object.fromEntries(Object.entries(values).filter(([key]) => key !== 'id')));
    expect(params.at(-1)).toBe(7);
  });
});
