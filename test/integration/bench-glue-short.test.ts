// The Glue benchmark (test/bench/glue-scan.ts) shortened to a correctness check: the same code paths
// — the real CLI's sync twice, then `run` following events while its start-up pass runs — on 2,000
// tables. No timing is asserted (figures come from `npm run bench -- glue`); what must hold at any
// size: Glue calls ≈ databases + tables/100, one VALIDATE per database directory, 0 notifications on
// a sync with no change, and every event applied. Spawns the built CLI: `npm run build` first.
import { describe, expect, it } from 'vitest';
import { benchGlueScan } from '../bench/glue-scan.js';

describe('the Glue benchmark, shortened', () => {
  it('2,000 tables in 4 databases: listing calls, notifications per table, a no-change sync, events applied', async () => {
    const tables = 2_000;
    const databases = 4;
    const r = await benchGlueScan(tables, databases, 200, { rate: 20, seconds: 3 });
    // One GetTables page per 100 tables of a database, one GetDatabases page, no GetTable.
    expect(r.first.glueCalls).toEqual({ 'GetDatabases:ok': 1, 'GetTables:ok': tables / 100 });
    // A CREATE per table, a VALIDATE per database directory.
    expect(r.first.notifications).toBe(tables + databases);
    expect(r.second.notifications).toBe(0);
    expect(r.second.glueCalls).toEqual(r.first.glueCalls);
    expect(r.events.events).toBe(60);
    expect(r.events.missing).toBe(0);
    expect(r.events.getTableCalls).toBe(60);
    expect(r.first.rssMb === undefined || r.first.rssMb > 0).toBe(true);
  }, 600_000);
});
