// After a pass, the SQLite ledger counts and pages the rows the pass did not see a span of rowids at a
// time, giving the event loop back in between (one statement over 1,000,000 rows held a daemon's events
// for about half a second); so does the count of each source's tables that every /metrics scrape reads.
// The spans must add up to exactly what one statement over the table says.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.js';
import { present } from './support.js';

/** More rows than two spans of 50,000, so the walk crosses span boundaries. */
const ROWS = 120_000;
/** Rows (1-based ids, in insertion order) the pass leaves unseen: both sides of each span boundary and the last. */
const UNSEEN = [1, 49_999, 50_000, 50_001, 100_000, 100_001, ROWS];
const STAMP = 2_000_000_000_000;

let dir: string;
let ledger: SqliteLedger;
const name = (i: number) => `t${String(i).padStart(6, '0')}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mirror-unseen-spans-'));
  ledger = SqliteLedger.open(join(dir, 'state.db'));
  const unseen = new Set(UNSEEN);
  for (let start = 1; start <= ROWS; start += 2_000) {
    const ids = Array.from({ length: 2_000 }, (_, k) => start + k);
    await ledger.commit({
      observations: ids.map((i) => present(`file:///w/${name(i)}/v1.metadata.json`, { name: name(i), order: 1 })),
      seen: { source: 'src', tables: ids.filter((i) => !unseen.has(i)).map((i) => ({ namespace: ['db'], name: name(i) })), stamp: STAMP },
    });
  }
}, 120_000);

afterAll(async () => {
  await ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('unseen rows on the SQLite ledger, read a span at a time', () => {
  it('counts every wanted row and every unseen one across the spans', async () => {
    expect(await ledger.unseenCounts('src', STAMP)).toEqual({ mirrored: ROWS, unseen: UNSEEN.length });
  });

  it('pages the unseen rows in id order across span boundaries, whatever the page size', async () => {
    for (const limit of [1, 2, 3, 100]) {
      const names: string[] = [];
      for (let after = 0; ; ) {
        const page = await ledger.unseenTables('src', STAMP, after, limit);
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(limit);
        names.push(...page.map((row) => row.table.name));
        after = page[page.length - 1]!.id;
      }
      expect(names).toEqual(UNSEEN.map(name));
    }
  });

  // Last: it changes rows the tests above count.
  it('counts each source\'s tables a span at a time, giving the loop back, adding up to one statement over the table', async () => {
    ledger.store.db.prepare(`UPDATE tables SET status = 'failed' WHERE id IN (1, 50000, 50001, ${ROWS})`).run();
    ledger.store.db.prepare(`UPDATE tables SET status = 'in_sync' WHERE id IN (2, 100000)`).run();
    ledger.store.db.prepare(`UPDATE tables SET source = 'other' WHERE id IN (49999, 100001)`).run();
    let turns = 0;
    let counting = true;
    const tick = (): void => {
      if (!counting) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const now = Date.now();
    const counts = await ledger.counts(now);
    counting = false;
    expect(turns).toBeGreaterThanOrEqual(2);
    // Due: every table not in sync (the failed ones were never given a later retry time).
    expect(counts).toEqual([
      { source: 'other', inSync: 0, pending: 2, failed: 0, due: 2 },
      { source: 'src', inSync: 2, pending: ROWS - 8, failed: 4, due: ROWS - 4 },
    ]);
    expect(counts).toEqual(ledger.store.counts(now));
  });
});
