// The dispatcher's scope of table ids (retry, a scoped refresh): each look reads only as many rows as it
// is offered before it says it has enough, from where the last look stopped; a settled table leaves.
import { describe, expect, it } from 'vitest';
import { IdScope } from '../../src/engine/id-scope.js';
import type { MirrorRow } from '../../src/ledger/rows.js';

/** Rows by id with a status each; counts the reads. */
function ledgerOf(statuses: Map<number, MirrorRow['status']>) {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    read: async (id: number) => {
      reads++;
      const status = statuses.get(id);
      return status === undefined ? undefined : ({ id, status } as MirrorRow);
    },
  };
}

/** Tables 1..count, every one pending, a ledger over them and a scope of them all. */
function pendingScope(count: number) {
  const statuses = new Map<number, MirrorRow['status']>(Array.from({ length: count }, (_, i) => [i + 1, 'pending']));
  return { statuses, ledger: ledgerOf(statuses), scope: new IdScope(statuses.keys()) };
}

describe('IdScope', () => {
  it('a look reads only until it has enough, and the next one goes on from there', async () => {
    const { ledger, scope } = pendingScope(100_000);
    const taken: number[] = [];
    for (let turn = 0; turn < 3; turn++) await scope.look(ledger.read, (row) => taken.push(row.id) >= 32 * (turn + 1));
    expect(taken).toEqual(Array.from({ length: 96 }, (_, i) => i + 1));
    expect(ledger.reads).toBe(96);
  });

  it('reads each table at most once a look when nothing is wanted, and settled or missing tables leave the scope', async () => {
    const statuses = new Map<number, MirrorRow['status']>([
      [1, 'pending'],
      [2, 'in_sync'],
      [3, 'failed'],
      [4, 'pending'],
    ]);
    const ledger = ledgerOf(statuses);
    const scope = new IdScope([1, 2, 3, 4, 5]);
    const offered: number[] = [];
    await scope.look(ledger.read, (row) => {
      offered.push(row.id);
      return false;
    });
    expect(offered.sort()).toEqual([1, 4]);
    expect(ledger.reads).toBe(5);
    expect(scope.size).toBe(2);
    expect(await scope.settled(ledger.read)).toBe(false);
    statuses.set(1, 'in_sync');
    statuses.set(4, 'failed');
    expect(await scope.settled(ledger.read)).toBe(true);
    expect(scope.size).toBe(0);
  });

  it('goes round: a table passed over as not due yet is offered again on a later look', async () => {
    const { ledger, scope } = pendingScope(3);
    const offers: number[] = [];
    await scope.look(ledger.read, (row) => offers.push(row.id) === 2);
    await scope.look(ledger.read, (row) => offers.push(row.id) === 4);
    expect(offers).toEqual([1, 2, 3, 1]);
  });

  it('offers each table at most once a look, however many leave the scope during it (a table offered twice was started twice)', async () => {
    const { statuses, ledger, scope } = pendingScope(6);
    const first: number[] = [];
    await scope.look(ledger.read, (row) => first.push(row.id) === 3);
    expect(first).toEqual([1, 2, 3]);
    statuses.set(1, 'in_sync');
    statuses.set(4, 'failed');
    const second: number[] = [];
    await scope.look(ledger.read, (row) => {
      second.push(row.id);
      return false;
    });
    expect(second).toEqual([5, 6, 2, 3]);
    expect(scope.size).toBe(4);
    // A look that stops early leaves the rest for later: 2 and 3 are found settled by the next one.
    for (const id of [2, 3, 5]) statuses.set(id, 'in_sync');
    const third: number[] = [];
    await scope.look(ledger.read, (row) => third.push(row.id) === 1);
    expect(third).toEqual([6]);
    expect(scope.size).toBe(3);
    expect(await scope.settled(ledger.read)).toBe(false);
    expect(scope.size).toBe(1);
    statuses.set(6, 'in_sync');
    expect(await scope.settled(ledger.read)).toBe(true);
  });

  it('says whether it went once round (the dispatcher then trusts what it left) or was stopped', async () => {
    const { statuses, ledger, scope } = pendingScope(4);
    expect(await scope.look(ledger.read, () => false)).toBe(true);
    expect(await scope.look(ledger.read, (row) => row.id === 2)).toBe(false);
    // From 3 on, round to 2: went round, though it started in the middle.
    statuses.set(1, 'in_sync');
    expect(await scope.look(ledger.read, () => false)).toBe(true);
    expect(scope.size).toBe(3);
    for (const id of [2, 3, 4]) statuses.set(id, 'failed');
    expect(await scope.look(ledger.read, () => true)).toBe(true);
    expect(scope.size).toBe(0);
  });
});
