// The HiveServer2 side-by-side benchmark (test/bench/hiveserver2-scale.ts) shortened to a correctness
// check: the real CLI's sync twice at two sizes, through the hiveserver2 source, printed side by side. No
// timing or memory is asserted (figures come from `npm run bench -- hiveserver2-scale`); what must hold
// at any size: a CREATE per table and a VALIDATE per database directory, one SHOW TBLPROPERTIES per
// table and one SHOW DATABASES per sync, 0 notifications on a sync with no change, and a table that puts
// each figure under its size with the large / small ratio. Spawns the built CLI: `npm run build` first.
import { describe, expect, it } from 'vitest';
import { formatHiveScale } from '../bench/hive-scale.js';
import { benchHiveServer2Scale } from '../bench/hiveserver2-scale.js';

describe('the hiveserver2-scale benchmark, shortened', () => {
  it('300 and 1,200 tables in one database: notifications per table, a read per table, a no-change sync, the printed ratios', async () => {
    const runs = [await benchHiveServer2Scale(300), await benchHiveServer2Scale(1_200)];
    expect(runs.map((r) => [r.tables, r.databases])).toEqual([
      [300, 1],
      [1_200, 1],
    ]);
    for (const r of runs) {
      expect(r.first.notifications).toBe(r.tables + r.databases);
      expect(r.second.notifications).toBe(0);
      for (const sync of [r.first, r.second]) {
        expect(sync.calls['SHOW TBLPROPERTIES']).toBe(r.tables);
        // The metastore's `default` database is listed too (it holds no table here).
        expect(sync.calls['SHOW TABLES']).toBe(r.databases + 1);
        expect(sync.calls['SHOW DATABASES']).toBe(1);
      }
    }
    const lines = formatHiveScale(runs, 'HiveServer2 statements').split('\n');
    expect(lines[0]).toMatch(/300 tables \(1 dbs\)\s+1200 tables \(1 dbs\)\s+large \/ small/);
    expect(lines.find((l) => l.includes('first sync, notifications'))).toMatch(/\s301\s+1201\s+3\.99×$/);
    expect(lines.find((l) => l.includes('no-change sync, notifications'))).toMatch(/\s0\s+0\s+target 0$/);
    expect(lines.find((l) => l.includes('first sync, HiveServer2 statements'))).toBeDefined();
    expect(lines.find((l) => l.includes('first sync, peak RSS MB'))).toMatch(/\(target ≤ 1\.5×\)$/);
  }, 600_000);
});
