// The files side-by-side benchmark (test/bench/files-side-by-side.ts) shortened to a correctness check:
// the real CLI's sync twice at two warehouse sizes, printed side by side. No timing or memory is
// asserted (figures come from `npm run bench -- files-scale`); what must hold at any size: a CREATE
// per table and a VALIDATE per namespace directory, 0 notifications on a sync with no change, and a
// table that puts each figure under its size with the large / small ratio. Spawns the built CLI:
// `npm run build` first.
import { describe, expect, it } from 'vitest';
import { benchFilesSideBySide, formatFilesSideBySide } from '../bench/files-side-by-side.js';

describe('the files side-by-side benchmark, shortened', () => {
  it('300 and 1,200 tables: notifications per table, a no-change sync, the printed ratios', async () => {
    const runs = await benchFilesSideBySide(300, 1_200);
    expect(runs.map((r) => [r.tables, r.namespaces])).toEqual([
      [300, 20],
      [1_200, 20],
    ]);
    for (const r of runs) {
      expect(r.firstNotifications).toBe(r.tables + r.namespaces);
      expect(r.secondNotifications).toBe(0);
      expect(r.firstLoadAverage).toBeGreaterThanOrEqual(0);
    }
    const lines = formatFilesSideBySide(runs).split('\n');
    expect(lines[0]).toMatch(/300 tables \(20 namespaces\)\s+1200 tables \(20 namespaces\)\s+large \/ small/);
    expect(lines.find((l) => l.includes('first sync, notifications'))).toMatch(/\s320\s+1220\s+3\.81×$/);
    expect(lines.find((l) => l.includes('no-change sync, notifications'))).toMatch(/\s0\s+0\s+target 0$/);
    expect(lines.find((l) => l.includes('first sync, peak RSS MB'))).toMatch(/\(target ≤ 1\.5×\)$/);
  }, 600_000);
});
