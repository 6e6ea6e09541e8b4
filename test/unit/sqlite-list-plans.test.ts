// The failed and retrying lists (status, the console) and the redrive of failed tables must be answered
// by their partial indexes: without them each read walked a whole source or the whole table, which at
// 1,000,000 rows held the daemon's event loop for seconds (npm run bench -- metrics-scrape). A changed
// WHERE clause that no longer implies its index's makes SQLite fall back to that walk without a word.
// The dispatcher's due rows are pinned too: without the unary + on a filter column, SQLite picks that
// column's index and sorts every due row it finds there, at each dispatcher turn.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.js';
import { statementSql } from '../../src/ledger/sqlite/statements.js';
import { dueRowsSql } from '../../src/ledger/sqlite/due-rows-sql.js';
import type { DueQuery } from '../../src/ledger/ledger.js';

describe('SQLite: the failed and retrying lists and the due rows read through their indexes', () => {
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
    ['failedPageSameTime', 'tables_failed', ['src', 5, 7, 1000]],
    ['failedPageLater', 'tables_failed', ['src', 5, 9, 1000]],
    ['failedUntil', 'tables_failed', ['src']],
  ] as const)('%s uses %s, in its order', (name, index, params) => {
    const steps = plan(statementSql()[name], ...params);
    expect(steps).toEqual([expect.stringMatching(new RegExp(`USING (COVERING )?INDEX ${index}`))]);
    expect(steps.join('\n')).not.toContain('TEMP B-TREE');
  });

  // A redrive's page is two seeks, never a walk of the source's failed rows from their start: the rest
  // of the cursor's updated_at by rowid, then the later ones (a million rows failed in one millisecond
  // would otherwise be read a million times over).
  it('the redrive pages seek tables_failed at the cursor', () => {
    expect(plan(statementSql().failedPageSameTime, 'src', 5, 7, 1000)).toEqual([expect.stringContaining('(source=? AND updated_at=? AND rowid>?)')]);
    expect(plan(statementSql().failedPageLater, 'src', 5, 9, 1000)).toEqual([expect.stringContaining('(source=? AND updated_at>? AND updated_at<?)')]);
    expect(plan(statementSql().failedSources)).toEqual([expect.stringContaining('INDEX tables_failed')]);
  });

  // A page's rows are made due in one statement: each id a seek by rowid, never a walk of the table.
  it("the redrive's UPDATE of a page seeks each row by its id", () => {
    const steps = plan(statementSql().redrive, { ids: '[1,2,3]', updated_at: 1 });
    expect(steps).toContainEqual(expect.stringMatching(/^SEARCH tables USING INTEGER PRIMARY KEY \(rowid=\?\)$/));
    expect(steps.join('\n')).not.toMatch(/SCAN tables/);
  });

  // The dispatcher's due rows, asked at every turn: each filter it may set must leave SQLite walking
  // tables_due in next-attempt order and stopping at the batch, never sorting every row not in sync.
  it.each<[string, DueQuery]>([
    ['no filter', { now: 1, limit: 16 }],
    ['some sources', { now: 1, limit: 16, sources: ['a', 'b'] }],
    ['one instance and the configured ones', { now: 1, limit: 16, polaris: 'default', configured: ['default', 'dr'] }],
    ['one instance, tables in flight left out', { now: 1, limit: 16, polaris: 'default', excluding: [1, 2, 3] }],
  ])('due rows (%s) walk tables_due in its order', (_, query) => {
    const { sql, params } = dueRowsSql(query);
    const steps = plan(sql, ...params);
    expect(steps[0]).toContain('USING INDEX tables_due');
    expect(steps.join('\n')).not.toContain('TEMP B-TREE');
  });
});
