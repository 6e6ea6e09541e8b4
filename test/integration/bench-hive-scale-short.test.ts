// The Hive side-by-side benchmark (test/bench/hive-scale.ts) shortened to a correctness check: the real
// CLI's sync twice at two metastore sizes, printed side by side. No timing or memory is asserted (figures
// come from `npm run bench -- hive-scale`); what must hold at any size: a CREATE per table and a VALIDATE
// per database directory, the metastore read in get_table_objects_by_name batches of 100, 0 notifications
// on a sync with no change, and a table that puts each figure under its size with the large / small
// ratio. Spawns the built CLI: `npm run build` first.
import { describe, expect, it } from 'vitest';
import { benchHiveScale, formatHiveScale } from '../bench/hive-scale.js';

describe('the hive-scale benchmark, shortened', () => {
  it('300 and 1,200 tables in one database: notifications per table, batched reads, a no-change sync, the printed ratios', async () => {
    const runs = [await benchHiveScale(300), await benchHiveScale(1_200)];
    expect(runs.map((r) => [r.tables, r.databases])).toEqual([
      [300, 1],
      [1_200, 1],
    ]);
    for (const r of runs) {
      expect(r.first.notifications).toBe(r.tables + r.databases);
      expect(r.first.calls['get_table_objects_by_name_req']).toBe(r.tables / 100);
      expect(r.second.notifications).toBe(0);
      expect(r.second.calls['get_all_databases']).toBe(1);
    }
    const lines = formatHiveScale(runs).split('\n');
    expect(lines[0]).toMatch(/300 tables \(1 dbs\)\s+1200 tables \(1 dbs\)\s+large \/ small/);
    expect(lines.find((l) => l.includes('first sync, notifications'))).toMatch(/\s301\s+1201\s+3\.99×$/);
    expect(lines.find((l) => l.includes('no-change sync, notifications'))).toMatch(/\s0\s+0\s+target 0$/);
    expect(lines.find((l) => l.includes('first sync, peak RSS MB'))).toMatch(/\(target ≤ 1\.5×\)$/);
  }, 600_000);
});
