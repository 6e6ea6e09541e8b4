// The failed and retrying lists (status, the console) and the redrive of failed tables must be answered
// by their partial indexes: without them each read walked a whole source or the whole table, which at
// 1,000,000 rows held the daemon's event loop for seconds (npm run bench -- metrics-scrape). A changed
// WHERE clause that no longer implies its index's makes SQLite fall back to that walk without a word.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.js';
import { statementSql } from '../../src/ledger/sqlite/statements.js';

describe('SQLite: the failed and retrying lists read through their indexes', () => {
  let dir: string;
  let ledger: SqliteLedger;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'polaris-mirror-plans-'));
    ledger = SqliteLedger.open(join(dir, 'state.db'));
  });
  afterAll(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plan = (sql: string, ...params: unknown[]) =>
    (ledger.store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((step) => step.detail);

  it.each([
    ['failedOfSource', 'tables_failed', ['src', 1000]],
    ['retryingOfSource', 'tables_retrying', ['src', 1000]],
    ['failedRows', 'tables_failed', []],
  ] as const)('%s uses %s, in its order', (name, index, params) => {
    const steps = plan(statementSql()[name], ...params);
    expect(steps).toEqual([expect.stringContaining(`USING INDEX ${index}`)]);
    expect(steps.join('\n')).not.toContain('TEMP B-TREE');
  });
});
