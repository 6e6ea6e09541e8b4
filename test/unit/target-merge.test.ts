// The target check's merge: a namespace's listed names against its ledger rows read page by page, in
// byte order, holding one item of each side. Lost tables and orphans fall on both sides of page
// boundaries; several rows may share a name; the reader is asked for bounded pages only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytewise, mergeSorted, pagedRows } from '../../src/engine/sorted-merge.js';
import type { TargetPageRow } from '../../src/ledger/target-sql.js';

/** A ledger of rows as the SQL returns them: ordered by (name bytewise, id), a page after a key, at most limit. */
function ledgerOf(rows: TargetPageRow[]) {
  const sorted = [...rows].sort((a, b) => compareBytewise(a.name, b.name) || a.id - b.id);
  const asked: number[] = [];
  const read = async (after: { name: string; id: number } | undefined, limit: number) => {
    asked.push(limit);
    const start = after === undefined ? 0 : sorted.findIndex((r) => compareBytewise(r.name, after.name) > 0 || (r.name === after.name && r.id > after.id));
    return start < 0 ? [] : sorted.slice(start, start + limit);
  };
  return { read, asked };
}

const row = (id: number, name: string): TargetPageRow => ({ id, name, held: true, appliedAt: 1 });

async function merge(listed: string[], rows: TargetPageRow[], pageSize: number) {
  const ledger = ledgerOf(rows);
  const missing: number[] = [];
  const unknown: string[] = [];
  await mergeSorted([...new Set(listed)].sort(compareBytewise), pagedRows(ledger.read, pageSize), {
    missing: (r) => void missing.push(r.id),
    unknown: (name) => void unknown.push(name),
  });
  return { missing: missing.sort((a, b) => a - b), unknown: unknown.sort(), asked: ledger.asked };
}

describe('the target merge', () => {
  it('finds lost rows and orphans across page boundaries (pages of 3)', async () => {
    // Ledger: t01..t10 (ids 1..10) plus a second row named t05 (id 11). Listed: all but t03 (page 1's
    // last), t04 (page 2's first), t10 (the last); plus orphans before, between and after the rows.
    const rows = [...Array.from({ length: 10 }, (_, i) => row(i + 1, `t${String(i + 1).padStart(2, '0')}`)), row(11, 't05')];
    const listed = ['a-first', 't01', 't02', 't05', 't06', 't065', 't07', 't08', 't09', 'zz-last'];
    const found = await merge(listed, rows, 3);
    expect(found.missing).toEqual([3, 4, 10]);
    expect(found.unknown).toEqual(['a-first', 't065', 'zz-last']);
    // 11 rows in pages of 3: four pages, the last one short, and nothing larger was ever asked.
    expect(found.asked).toEqual([3, 3, 3, 3]);
  });

  it('an empty listing loses every row; an empty ledger makes every name an orphan', async () => {
    expect((await merge([], [row(1, 'a'), row(2, 'b')], 1)).missing).toEqual([1, 2]);
    expect((await merge(['a', 'b'], [], 2)).unknown).toEqual(['a', 'b']);
  });

  it('orders as UTF-8 bytes (SQLite BINARY, PostgreSQL "C"), surrogates included', () => {
    const names = ['a', 'B', '\u00e9', '\uffff', '\u{1f600}', '\ue000', 'a\u0000', 'ab'];
    const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...names].sort(compareBytewise)).toEqual(byBytes);
  });

  it('matches a set difference for any names and page size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 3 }), { maxLength: 40 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 40 }), fc.integer({ min: 1, max: 7 }), async (listed, ledgerNames, pageSize) => {
        const rows = ledgerNames.map((name, i) => row(i + 1, name));
        const found = await merge(listed, rows, pageSize);
        const listedSet = new Set(listed);
        const ledgerSet = new Set(ledgerNames);
        expect(found.missing).toEqual(rows.filter((r) => !listedSet.has(r.name)).map((r) => r.id));
        expect(found.unknown).toEqual([...listedSet].filter((name) => !ledgerSet.has(name)).sort());
        expect(Math.max(0, ...found.asked)).toBeLessThanOrEqual(pageSize);
      }),
      { numRuns: 200 },
    );
  });
});
