// The ledger: desired vs applied per table, ordering, ownership, the work queue, outcomes, redrive,
// cursors, passes, the VALIDATE cache and the sender lease — against a real SQLite file.
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupCommit } from '../../src/ledger/sqlite/group-commit.js';
import { SqliteStore as Ledger } from '../../src/ledger/sqlite/sqlite-store.js';
import type { MirrorRow } from '../../src/ledger/rows.js';
import { absent, present, tempDir } from './support.js';

let dir: string;
let cleanup: () => void;
let ledger: Ledger;
let path: string;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('pm-ledger-'));
  path = join(dir, 'nested', 'state.db');
  ledger = Ledger.open(path);
});
afterEach(() => {
  ledger.close();
  cleanup();
});

const LOC1 = 's3://lake/db/t/metadata/00001-a.metadata.json';
const LOC2 = 's3://lake/db/t/metadata/00002-b.metadata.json';
const LOC3 = 's3://lake/db/t/metadata/00003-c.metadata.json';
const NOW = 1_000_000;

/** The only row of a source (fails when there is not exactly one). */
function only(source = 'src'): MirrorRow {
  const rows = ledger.rowsOfSource(source);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

function row(name: string, source = 'src'): MirrorRow {
  const found = ledger.rowsOfSource(source).find((r) => r.table.name === name);
  if (!found) throw new Error(`no row ${source}/${name}`);
  return found;
}

function applyPresent(r: MirrorRow, now = NOW): void {
  ledger.applyOutcome(
    {
      kind: 'applied',
      id: r.id,
      rev: r.rev,
      applied: { state: 'present', metadataLocation: r.desired.metadataLocation, tableUuid: r.desired.tableUuid, timestamp: r.desired.timestamp },
    },
    now,
  );
}

describe('observe', () => {
  it('creates the parent directory of the ledger file', () => {
    expect(ledger.db.name).toBe(path);
  });

  it('a first present observation is pending with timestamp = source time', () => {
    expect(ledger.observe([present(LOC1, { order: 10, time: 1_700_000_000_000, uuid: 'u-1' })], NOW)).toEqual(['accepted']);
    const r = only();
    expect(r).toMatchObject({
      source: 'src',
      table: { namespace: ['db'], name: 't' },
      target: { catalog: 'lake', namespace: ['db'], name: 't' },
      desired: {
        state: 'present',
        metadataLocation: LOC1,
        tableUuid: 'u-1',
        order: 10,
        sourceTimeMs: 1_700_000_000_000,
        timestamp: 1_700_000_000_000,
        confirmed: false,
      },
      applied: { state: null, metadataLocation: null, tableUuid: null, timestamp: null, at: null },
      lastTimestamp: 1_700_000_000_000,
      lastPresentLocation: LOC1,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: 0,
      lastError: null,
      ownerConflict: null,
      updatedAt: NOW,
      rev: 1,
    });
  });

  it('keeps multi-level source and target namespaces apart', () => {
    ledger.observe([present(LOC1, { order: 1, namespace: ['a', 'b'], targetNamespace: ['p', 'a', 'b'] })]);
    expect(only()).toMatchObject({ table: { namespace: ['a', 'b'], name: 't' }, target: { namespace: ['p', 'a', 'b'] } });
  });

  it('an older order is ignored as stale; an equal order is accepted', () => {
    ledger.observe([present(LOC1, { order: 10 })]);
    expect(ledger.observe([present(LOC2, { order: 9 })])).toEqual(['stale']);
    expect(only().desired.metadataLocation).toBe(LOC1);
    expect(ledger.observe([present(LOC2, { order: 10, time: 10 })])).toEqual(['accepted']);
    expect(only().desired).toMatchObject({ metadataLocation: LOC2, order: 10, timestamp: 11 });
  });

  it('an older absent is stale too', () => {
    ledger.observe([present(LOC1, { order: 10 })]);
    expect(ledger.observe([absent({ order: 3 })])).toEqual(['stale']);
    expect(only().desired.state).toBe('present');
  });

  it('the same location is unchanged: no new timestamp, no new revision, order still advances', () => {
    ledger.observe([present(LOC1, { order: 10, time: 500 })]);
    expect(ledger.observe([present(LOC1, { order: 20, time: 900, uuid: 'u-late' })], NOW + 1)).toEqual(['unchanged']);
    const r = only();
    expect(r.desired).toMatchObject({ metadataLocation: LOC1, order: 20, timestamp: 500, sourceTimeMs: 500, tableUuid: 'u-late' });
    expect(r.lastTimestamp).toBe(500);
    expect(r.rev).toBe(1);
    // order advanced: something between 10 and 20 is now stale
    expect(ledger.observe([present(LOC2, { order: 15 })])).toEqual(['stale']);
  });

  it('an unchanged observation without a uuid keeps the known uuid', () => {
    ledger.observe([present(LOC1, { order: 1, uuid: 'u-1' })]);
    ledger.observe([present(LOC1, { order: 2 })]);
    expect(only().desired.tableUuid).toBe('u-1');
  });

  it('a changed location gets a new timestamp above the last even when the source time goes backwards', () => {
    ledger.observe([present(LOC1, { order: 1, time: 5_000 })]);
    expect(ledger.observe([present(LOC2, { order: 2, time: 1_000 })])).toEqual(['accepted']);
    expect(only().desired.timestamp).toBe(5_001);
    expect(only().lastTimestamp).toBe(5_001);
    expect(only().rev).toBe(2);
    ledger.observe([present(LOC3, { order: 3, time: 9_000 })]);
    expect(only().desired.timestamp).toBe(9_000);
  });

  it('a change resets the attempts and schedules the table now', () => {
    ledger.observe([present(LOC1, { order: 1 })]);
    const r = only();
    ledger.applyOutcome({ kind: 'failed', id: r.id, rev: r.rev, error: 'boom', delayMs: 60_000 }, NOW);
    expect(only()).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: NOW + 60_000 });
    ledger.observe([present(LOC2, { order: 2 })], NOW);
    expect(only()).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: 0, lastError: null });
  });

  it('going back to the applied location while not in sync converges again: an attempt may have reached Polaris unanswered', () => {
    ledger.observe([present(LOC1, { order: 1 })]);
    applyPresent(only());
    ledger.observe([present(LOC2, { order: 2 })]);
    expect(only().status).toBe('pending');
    expect(ledger.observe([present(LOC1, { order: 3 })])).toEqual(['accepted']);
    expect(only()).toMatchObject({ status: 'pending', desired: { metadataLocation: LOC1 } });
    applyPresent(only());
    expect(only().status).toBe('in_sync');
  });

  it('absent for an unknown table is a tombstone: in_sync, nothing to send', () => {
    expect(ledger.observe([absent({ order: 50, confirmed: true })], NOW)).toEqual(['accepted']);
    expect(only()).toMatchObject({ status: 'in_sync', desired: { state: 'absent', order: 50, confirmed: true }, lastPresentLocation: null });
    expect(ledger.due(NOW, 10)).toEqual([]);
  });

  it('a tombstone stops a later, older present but accepts a newer one', () => {
    ledger.observe([absent({ order: 50, time: 50 })]);
    expect(ledger.observe([present(LOC1, { order: 40, time: 40 })])).toEqual(['stale']);
    expect(only().status).toBe('in_sync');
    expect(ledger.observe([present(LOC1, { order: 60, time: 45 })])).toEqual(['accepted']);
    expect(only()).toMatchObject({ status: 'pending', desired: { state: 'present', timestamp: 51 } });
  });

  it('absent after an applied present is pending (a DROP to send); after it is applied, in_sync', () => {
    ledger.observe([present(LOC1, { order: 1, time: 100, uuid: 'u' })]);
    applyPresent(only());
    expect(ledger.observe([absent({ order: 2, time: 200 })])).toEqual(['accepted']);
    let r = only();
    expect(r).toMatchObject({ status: 'pending', desired: { state: 'absent', tableUuid: 'u', timestamp: 200, confirmed: false }, lastPresentLocation: LOC1 });
    ledger.applyOutcome({ kind: 'applied', id: r.id, rev: r.rev, applied: { state: 'absent', metadataLocation: null, tableUuid: 'u', timestamp: 200 } });
    r = only();
    expect(r.status).toBe('in_sync');
    expect(ledger.observe([absent({ order: 3 })])).toEqual(['unchanged']);
  });

  it('a repeated absent raises confirmed but never lowers it', () => {
    ledger.observe([present(LOC1, { order: 1 })]);
    ledger.observe([absent({ order: 2 })]);
    expect(only().desired.confirmed).toBe(false);
    ledger.observe([absent({ order: 3, confirmed: true })]);
    expect(only().desired.confirmed).toBe(true);
    ledger.observe([absent({ order: 4, confirmed: false })]);
    expect(only().desired.confirmed).toBe(true);
  });

  it('absent for a present that was never confirmed applied still needs a check (pending)', () => {
    ledger.observe([present(LOC1, { order: 1 })]);
    ledger.observe([absent({ order: 2 })]);
    expect(only().status).toBe('pending');
  });
});

describe('ownership', () => {
  it('a second source observing the same Polaris table is rejected and shown as failed', () => {
    ledger.observe([present(LOC1, { source: 'a', order: 1 })]);
    expect(ledger.observe([present(LOC2, { source: 'b', order: 1 })])).toEqual(['rejected']);
    const b = only('b');
    expect(b.status).toBe('failed');
    expect(b.ownerConflict).toBe('a');
    expect(b.lastError).toMatch(/^owned by source a/);
    expect(b.lastHint).toContain('source a keeps it');
    // never due, never counted as pending
    expect(ledger.due(NOW, 10).map((r) => r.source)).toEqual(['a']);
    expect(ledger.unfinished()).toEqual({ pending: 1, failed: 0 });
    // a repeat stays rejected
    expect(ledger.observe([present(LOC2, { source: 'b', order: 2 })])).toEqual(['rejected']);
  });

  it('different source tables mapping to the same Polaris table conflict too', () => {
    ledger.observe([present(LOC1, { source: 'a', order: 1, namespace: ['x'], targetNamespace: ['m'] })]);
    expect(ledger.observe([present(LOC2, { source: 'b', order: 1, namespace: ['y'], targetNamespace: ['m'] })])).toEqual(['rejected']);
  });

  it('the same table in another catalog is not a conflict', () => {
    ledger.observe([present(LOC1, { source: 'a', order: 1, catalog: 'one' })]);
    expect(ledger.observe([present(LOC2, { source: 'b', order: 1, catalog: 'two' })])).toEqual(['accepted']);
  });

  it('the rejected source takes over once the owner lets go (desired and applied absent)', () => {
    ledger.observe([present(LOC1, { source: 'a', order: 1 })]);
    ledger.observe([present(LOC2, { source: 'b', order: 1 })]);
    ledger.observe([absent({ source: 'a', order: 2 })]);
    // a's table is still desired absent but was never applied: nothing held → b may have it
    expect(ledger.observe([present(LOC2, { source: 'b', order: 3 })])).toEqual(['accepted']);
    expect(only('b')).toMatchObject({ status: 'pending', ownerConflict: null, lastError: null });
  });

  it('an applied present keeps ownership while a drop is pending', () => {
    ledger.observe([present(LOC1, { source: 'a', order: 1 })]);
    applyPresent(only('a'));
    ledger.observe([absent({ source: 'a', order: 2 })]);
    expect(ledger.observe([present(LOC2, { source: 'b', order: 1 })])).toEqual(['rejected']);
  });

  // Regression (fixed; this was the bug): a source whose "present" was rejected (another source owns the table) never sent anything, but
  // a later "absent" from it clears owner_conflict and leaves last_present_location set, so the row turns
  // pending: the dispatcher then treats it as a DROP candidate of a table another source mirrors (with a
  // shared uuid or location, TableConverger.drop considers it "ours" and drops it).
  it('an absent from a rejected source is a tombstone, not a DROP to send', () => {
    ledger.observe([present(LOC1, { source: 'a', order: 1, uuid: 'same-uuid' })]);
    applyPresent(only('a'));
    ledger.observe([present(LOC1, { source: 'b', order: 1, uuid: 'same-uuid' })]);
    expect(only('b').status).toBe('failed');
    ledger.observe([absent({ source: 'b', order: 2 })]);
    expect(ledger.due(NOW, 10).map((r) => r.source)).toEqual([]);
    expect(only('b').status).toBe('in_sync');
  });
});

describe('due', () => {
  it('returns unfinished rows ordered by next attempt then id, up to the limit', () => {
    ledger.observe([present(LOC1, { name: 't1', order: 1 }), present(LOC1, { name: 't2', order: 1 }), present(LOC1, { name: 't3', order: 1 })]);
    const t1 = row('t1');
    ledger.applyOutcome({ kind: 'retry', id: t1.id, rev: t1.rev, error: 'e', delayMs: 100 }, NOW);
    expect(ledger.due(NOW, 10).map((r) => r.table.name)).toEqual(['t2', 't3']);
    expect(ledger.due(NOW + 100, 10).map((r) => r.table.name)).toEqual(['t2', 't3', 't1']);
    expect(ledger.due(NOW + 100, 2).map((r) => r.table.name)).toEqual(['t2', 't3']);
    expect(ledger.nextAttemptAfter(NOW)).toBe(NOW + 100);
    expect(ledger.nextAttemptAfter(NOW + 100)).toBeUndefined();
    expect(ledger.dueRows({ now: NOW, limit: 10, excluding: [row('t2').id] }).map((r) => r.id)).toEqual([row('t3').id]);
  });

  it('skips in_sync rows and respects the sources filter', () => {
    ledger.observe([present(LOC1, { source: 'a', name: 'x', order: 1 }), present(LOC1, { source: 'b', name: 'y', order: 1 })]);
    ledger.observe([present(LOC1, { source: 'c', name: 'z', order: 1 })]);
    applyPresent(row('z', 'c'));
    expect(ledger.due(NOW, 10).map((r) => r.source)).toEqual(['a', 'b']);
    expect(ledger.due(NOW, 10, ['b']).map((r) => r.source)).toEqual(['b']);
    expect(ledger.due(NOW, 10, ['b', 'c']).map((r) => r.source)).toEqual(['b']);
    expect(ledger.due(NOW, 10, [])).toEqual([]);
    expect(ledger.unfinished(['a'])).toEqual({ pending: 1, failed: 0 });
    expect(ledger.unfinished(['c'])).toEqual({ pending: 0, failed: 0 });
  });

  it('failed rows come back when their next attempt is due', () => {
    ledger.observe([present(LOC1, { order: 1 })]);
    const r = only();
    ledger.applyOutcome({ kind: 'failed', id: r.id, rev: r.rev, error: 'nope', delayMs: 5_000 }, NOW);
    expect(ledger.due(NOW + 4_999, 10)).toEqual([]);
    expect(ledger.due(NOW + 5_000, 10).map((x) => x.id)).toEqual([r.id]);
    expect(ledger.nextAttemptAfter(NOW)).toBe(NOW + 5_000);
    expect(ledger.nextAttemptAfter(NOW, ['other'])).toBeUndefined();
    expect(ledger.unfinished()).toEqual({ pending: 0, failed: 1 });
  });

  it('nextAttemptAfter is undefined when nothing is scheduled later', () => {
    expect(ledger.nextAttemptAfter(NOW)).toBeUndefined();
    ledger.observe([present(LOC1, { order: 1 })]);
    expect(ledger.nextAttemptAfter(NOW)).toBeUndefined(); // due now, not later
    applyPresent(only());
    expect(ledger.nextAttemptAfter(0)).toBeUndefined();
  });
});

describe('applyOutcome', () => {
  it('applied → in_sync with the applied state recorded', () => {
    ledger.observe([present(LOC1, { order: 1, time: 42, uuid: 'u' })]);
    applyPresent(only(), NOW + 5);
    expect(only()).toMatchObject({
      status: 'in_sync',
      applied: { state: 'present', metadataLocation: LOC1, tableUuid: 'u', timestamp: 42, at: NOW + 5 },
      attempts: 0,
      lastError: null,
    });
  });

  it('applied for an older revision → pending (the source changed meanwhile)', () => {
    ledger.observe([present(LOC1, { order: 1 })]);
    const before = only();
    ledger.observe([present(LOC2, { order: 2 })]);
    applyPresent(before);
    expect(only()).toMatchObject({ status: 'pending', applied: { metadataLocation: LOC1 }, desired: { metadataLocation: LOC2 } });
  });

  it('retry → attempts++ and pending after the delay; it never turns failed by itself (the converger decides)', () => {
    ledger.observe([present(LOC1, { order: 1 })]);
    const r = only();
    ledger.applyOutcome({ kind: 'retry', id: r.id, rev: r.rev, error: '503', hint: 'later', delayMs: 250 }, NOW);
    expect(only()).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: NOW + 250, lastError: '503', lastHint: 'later' });
    ledger.applyOutcome({ kind: 'retry', id: r.id, rev: r.rev, error: '503', delayMs: 250 }, NOW);
    expect(only()).toMatchObject({ status: 'pending', attempts: 2, lastHint: null });
    for (let i = 0; i < 10; i++) ledger.applyOutcome({ kind: 'retry', id: r.id, rev: r.rev, error: '503 again', delayMs: 1000 }, NOW);
    expect(only()).toMatchObject({ status: 'pending', attempts: 12, nextAttemptAt: NOW + 1000, lastError: '503 again' });
    // the attempt count feeds the converger's backoff; a 'failed' outcome keeps counting
    ledger.applyOutcome({ kind: 'failed', id: r.id, rev: r.rev, error: 'too many', delayMs: 5 }, NOW);
    expect(only()).toMatchObject({ status: 'failed', attempts: 13 });
  });

  it('retry for an older revision → pending now, attempts reset', () => {
    ledger.observe([present(LOC1, { order: 1 })]);
    const r = only();
    ledger.applyOutcome({ kind: 'retry', id: r.id, rev: r.rev, error: 'e', delayMs: 10 }, NOW);
    ledger.observe([present(LOC2, { order: 2 })]);
    ledger.applyOutcome({ kind: 'retry', id: r.id, rev: r.rev, error: 'e', delayMs: 10 }, NOW);
    expect(only()).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: 0 });
  });

  it('failed → status failed with the next attempt in the future', () => {
    ledger.observe([present(LOC1, { order: 1 })]);
    const r = only();
    ledger.applyOutcome({ kind: 'failed', id: r.id, rev: r.rev, error: '403 forbidden', hint: 'grant it', delayMs: 30_000 }, NOW);
    expect(only()).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: NOW + 30_000, lastError: '403 forbidden', lastHint: 'grant it' });
    expect(ledger.failedRows('src').map((x) => x.id)).toEqual([r.id]);
    expect(ledger.retryingRows('src')).toEqual([]);
  });

  it('failed for an older revision → pending now', () => {
    ledger.observe([present(LOC1, { order: 1 })]);
    const r = only();
    ledger.observe([present(LOC2, { order: 2 })]);
    ledger.applyOutcome({ kind: 'failed', id: r.id, rev: r.rev, error: 'x', delayMs: 30_000 }, NOW);
    expect(only()).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: 0, lastError: 'x' });
  });

  it('deferred → delayed with its reason, status and attempts unchanged', () => {
    ledger.observe([present(LOC1, { order: 1 })]);
    const r = only();
    ledger.applyOutcome({ kind: 'deferred', id: r.id, delayMs: 1_000, reason: 'waiting for the rename' }, NOW);
    expect(only()).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: NOW + 1_000, lastError: 'waiting for the rename' });
  });

  it('an outcome for an unknown id is ignored', () => {
    expect(() => ledger.applyOutcome({ kind: 'deferred', id: 9999, delayMs: 1, reason: 'x' })).not.toThrow();
    expect(ledger.get(9999)).toBeUndefined();
  });
});

describe('raiseTimestamp', () => {
  it('raises desired and last timestamps, never lowers them; the next change builds on it', () => {
    ledger.observe([present(LOC1, { order: 1, time: 100 })]);
    const r = only();
    ledger.raiseTimestamp(r.id, 5_000);
    expect(only()).toMatchObject({ desired: { timestamp: 5_000 }, lastTimestamp: 5_000 });
    ledger.raiseTimestamp(r.id, 10);
    expect(only()).toMatchObject({ desired: { timestamp: 5_000 }, lastTimestamp: 5_000 });
    ledger.observe([present(LOC2, { order: 2, time: 200 })]);
    expect(only().desired.timestamp).toBe(5_001);
  });
});

describe('redrive', () => {
  function failAll(): void {
    for (const r of ledger.due(Number.MAX_SAFE_INTEGER, 100)) {
      ledger.applyOutcome({ kind: 'failed', id: r.id, rev: r.rev, error: 'bad', delayMs: 3_600_000 }, NOW);
    }
  }

  beforeEach(() => {
    ledger.observe([
      present(LOC1, { source: 'a', namespace: ['sales'], name: 'orders', order: 1 }),
      present(LOC1, { source: 'a', namespace: ['sales'], name: 'items', order: 1 }),
      present(LOC1, { source: 'b', catalog: 'cat2', namespace: ['hr'], targetNamespace: ['m', 'hr'], name: 'people', order: 1 }),
    ]);
    failAll();
  });

  it('allFailed makes every failed row due now with attempts reset', async () => {
    const ids = await ledger.redrive({ allFailed: true }, NOW + 1);
    expect(ids).toHaveLength(3);
    for (const r of [...ledger.rowsOfSource('a'), ...ledger.rowsOfSource('b')]) {
      expect(r).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: 0 });
    }
    expect(ledger.due(NOW + 1, 10)).toHaveLength(3);
  });

  it('by source', async () => {
    expect((await ledger.redrive({ source: 'b' })).sort()).toEqual([row('people', 'b').id]);
    expect(row('orders', 'a').status).toBe('failed');
    expect(row('people', 'b').status).toBe('pending');
  });

  it('by the source dotted name "ns.table"', async () => {
    expect(await ledger.redrive({ table: 'sales.orders' })).toEqual([row('orders', 'a').id]);
    expect(row('orders', 'a').status).toBe('pending');
    expect(row('items', 'a').status).toBe('failed');
  });

  it('by the Polaris dotted name "catalog.ns.table"', async () => {
    expect(await ledger.redrive({ table: 'cat2.m.hr.people' })).toEqual([row('people', 'b').id]);
    expect(await ledger.redrive({ table: 'lake.sales.items' })).toEqual([row('items', 'a').id]);
  });

  it('an unknown name redrives nothing; in_sync rows are never redriven', async () => {
    expect(await ledger.redrive({ table: 'nope.nope' })).toEqual([]);
    const r = row('orders', 'a');
    applyPresent(r);
    expect(await ledger.redrive({ table: 'sales.orders' })).toEqual([]);
    expect(row('orders', 'a').status).toBe('in_sync');
  });

  it('a row whose owner still holds the table stays failed; once released it is redriven', async () => {
    ledger.observe([present(LOC2, { source: 'c', namespace: ['sales'], name: 'orders', order: 1 })]);
    expect(row('orders', 'c').ownerConflict).toBe('a');
    expect(await ledger.redrive({ source: 'c' })).toEqual([]);
    ledger.observe([absent({ source: 'a', namespace: ['sales'], name: 'orders', order: 2 })]);
    const orders = row('orders', 'a');
    ledger.applyOutcome({ kind: 'applied', id: orders.id, rev: orders.rev, applied: { state: 'absent', metadataLocation: null, tableUuid: null, timestamp: 3 } });
    expect(await ledger.redrive({ source: 'c' })).toEqual([row('orders', 'c').id]);
    expect(row('orders', 'c')).toMatchObject({ status: 'pending', ownerConflict: null, lastError: null });
  });
});

describe('counts', () => {
  it('counts in_sync present, pending and failed per source; tombstones are not tables', async () => {
    ledger.observe([present(LOC1, { source: 'a', name: 'x', order: 1 }), present(LOC1, { source: 'a', name: 'y', order: 1 })]);
    ledger.observe([present(LOC1, { source: 'a', name: 'z', order: 1 }), absent({ source: 'a', name: 'gone', order: 1 })]);
    ledger.observe([present(LOC1, { source: 'b', name: 'w', order: 1 })]);
    applyPresent(row('x', 'a'));
    const y = row('y', 'a');
    ledger.applyOutcome({ kind: 'failed', id: y.id, rev: y.rev, error: 'e', delayMs: 1 });
    // A minute on, the failed table's retry time has come too: due, as the pending ones.
    expect(ledger.counts(Date.now() + 60_000).sort((p, q) => p.source.localeCompare(q.source))).toEqual([
      { source: 'a', inSync: 1, pending: 1, failed: 1, due: 2 },
      { source: 'b', inSync: 0, pending: 1, failed: 0, due: 1 },
    ]);
  });

  it('is empty for an empty ledger', () => {
    expect(ledger.counts()).toEqual([]);
  });
});

describe('sources: cursor and passes', () => {
  it('cursor is undefined first, then the last value set', () => {
    expect(ledger.cursor('hive')).toBeUndefined();
    ledger.setCursor('hive', '41');
    ledger.setCursor('hive', '42');
    expect(ledger.cursor('hive')).toBe('42');
    expect(ledger.cursor('other')).toBeUndefined();
  });

  it('recordPass and sourceState', () => {
    expect(ledger.sourceState('wh')).toBeUndefined();
    ledger.setCursor('wh', 'c1');
    ledger.recordPass('wh', { startedAt: 10, endedAt: 20, complete: true, summary: { listed: 3, skipped: { filtered: 1 } } });
    expect(ledger.sourceState('wh')).toEqual({
      name: 'wh',
      cursor: 'c1',
      passStartedAt: 10,
      passEndedAt: 20,
      passComplete: true,
      passSummary: { listed: 3, skipped: { filtered: 1 } },
      lastError: null,
      lastHint: null,
    });
    ledger.recordPass('wh', { startedAt: 30, endedAt: 40, complete: false, summary: null, error: 'root missing', hint: 'check root' });
    expect(ledger.sourceState('wh')).toMatchObject({ passComplete: false, passSummary: null, lastError: 'root missing', lastHint: 'check root', cursor: 'c1' });
  });

  it('a cursor set in the same transaction as observations is rolled back with them', () => {
    expect(() =>
      ledger.transaction(() => {
        ledger.observe([present(LOC1, { order: 1 })]);
        ledger.setCursor('src', 'c9');
        throw new Error('crash before commit');
      }),
    ).toThrow('crash before commit');
    expect(ledger.cursor('src')).toBeUndefined();
    expect(ledger.rowsOfSource('src')).toEqual([]);
  });
});

describe('VALIDATE cache', () => {
  it('per catalog and location', () => {
    expect(ledger.isValidated('lake', 's3://b/t')).toBe(false);
    ledger.markValidated('lake', 's3://b/t');
    ledger.markValidated('lake', 's3://b/t');
    expect(ledger.isValidated('lake', 's3://b/t')).toBe(true);
    expect(ledger.isValidated('other', 's3://b/t')).toBe(false);
    expect(ledger.isValidated('lake', 's3://b/t2')).toBe(false);
  });
});

describe('unappliedUpsertOfUuid', () => {
  it('finds another unapplied present row with the uuid in the catalog', () => {
    ledger.observe([present(LOC1, { name: 'old', order: 1, uuid: 'u1' }), present(LOC2, { name: 'new', order: 1, uuid: 'u1' })]);
    const oldRow = row('old');
    const newRow = row('new');
    expect(ledger.unappliedUpsertOfUuid('lake', 'u1', oldRow.id)?.id).toBe(newRow.id);
    expect(ledger.unappliedUpsertOfUuid('other', 'u1', oldRow.id)).toBeUndefined();
    ledger.applyOutcome({ kind: 'failed', id: newRow.id, rev: newRow.rev, error: 'x', delayMs: 1 });
    expect(ledger.unappliedUpsertOfUuid('lake', 'u1', oldRow.id)).toMatchObject({ id: newRow.id, status: 'failed' });
    applyPresent(ledger.get(newRow.id)!);
    expect(ledger.unappliedUpsertOfUuid('lake', 'u1', oldRow.id)).toBeUndefined();
  });
});

describe('the sender lease', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  function setHolder(pid: number, heartbeatAt: number, host = hostname()): void {
    ledger.db
      .prepare('INSERT INTO lease (id, pid, host, command, heartbeat_at) VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, command = excluded.command, heartbeat_at = excluded.heartbeat_at')
      .run(pid, host, 'run', heartbeatAt);
  }

  async function liveChild(): Promise<number> {
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    return child.pid!;
  }

  async function deadPid(): Promise<number> {
    const child = spawn('true', [], { stdio: 'ignore' });
    const pid = child.pid!;
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return pid;
  }

  function holder(): { pid: number; command: string; heartbeat_at: number } | undefined {
    return ledger.db.prepare('SELECT pid, command, heartbeat_at FROM lease WHERE id = 1').get() as never;
  }

  it('is taken when free', () => {
    expect(ledger.acquireLease('sync', NOW)).toBeUndefined();
    expect(holder()).toEqual({ pid: process.pid, command: 'sync', heartbeat_at: NOW });
  });

  it('is re-taken by the same process', () => {
    ledger.acquireLease('run', NOW);
    expect(ledger.acquireLease('retry', NOW + 1)).toBeUndefined();
    expect(holder()).toMatchObject({ pid: process.pid, command: 'retry' });
  });

  it('a live other process on this host holds it', async () => {
    const pid = await liveChild();
    const now = Date.now();
    setHolder(pid, now);
    expect(ledger.acquireLease('sync', now + 1_000)).toEqual({ pid, host: hostname(), command: 'run', heartbeatAt: now });
    expect(holder()!.pid).toBe(pid);
  });

  it('is taken over when the holder pid is dead', async () => {
    const pid = await deadPid();
    const now = Date.now();
    setHolder(pid, now);
    expect(ledger.acquireLease('sync', now + 1)).toBeUndefined();
    expect(holder()).toMatchObject({ pid: process.pid, command: 'sync' });
  });

  it('is taken over when the heartbeat is stale, even from a live process', async () => {
    const pid = await liveChild();
    setHolder(pid, NOW);
    expect(ledger.acquireLease('sync', NOW + 60_000)).toEqual({ pid, host: hostname(), command: 'run', heartbeatAt: NOW });
    expect(ledger.acquireLease('sync', NOW + 60_001)).toBeUndefined();
    expect(holder()!.pid).toBe(process.pid);
  });

  it('a holder on another host is trusted while its heartbeat is fresh', () => {
    setHolder(1, NOW, 'some-other-host');
    expect(ledger.acquireLease('sync', NOW + 10)).toMatchObject({ pid: 1, host: 'some-other-host' });
    expect(ledger.acquireLease('sync', NOW + 10, 5)).toBeUndefined();
  });

  it('heartbeat and release only touch our own lease', async () => {
    ledger.acquireLease('run', NOW);
    ledger.heartbeat(NOW + 500);
    expect(holder()!.heartbeat_at).toBe(NOW + 500);
    ledger.releaseLease();
    expect(holder()).toBeUndefined();

    const pid = await liveChild();
    setHolder(pid, NOW);
    ledger.heartbeat(NOW + 900);
    ledger.releaseLease();
    expect(holder()).toEqual({ pid, command: 'run', heartbeat_at: NOW });
  });
});

describe('durability across reopen', () => {
  it('rows, cursors, passes, validations and lease survive close/open', () => {
    ledger.observe([present(LOC1, { order: 7, time: 70, uuid: 'u' })]);
    ledger.raiseTimestamp(only().id, 900);
    ledger.setCursor('src', 'cur');
    ledger.recordPass('src', { startedAt: 1, endedAt: 2, complete: true, summary: { listed: 1 } });
    ledger.markValidated('lake', 's3://lake/db/t');
    ledger.acquireLease('run', NOW);
    const before = only();
    ledger.close();

    ledger = Ledger.open(path);
    expect(only()).toEqual(before);
    expect(ledger.cursor('src')).toBe('cur');
    expect(ledger.sourceState('src')!.passSummary).toEqual({ listed: 1 });
    expect(ledger.isValidated('lake', 's3://lake/db/t')).toBe(true);
    expect(ledger.acquireLease('run', NOW + 1)).toBeUndefined();
    ledger.observe([present(LOC2, { order: 8, time: 80 })]);
    expect(only().desired.timestamp).toBe(901);
  });

  it('a read-only ledger reads the same rows', () => {
    ledger.observe([present(LOC1, { order: 1 })]);
    const ro = Ledger.open(path, { readonly: true });
    try {
      expect(ro.rowsOfSource('src')).toEqual(ledger.rowsOfSource('src'));
    } finally {
      ro.close();
    }
  });

  it('refuses a ledger written by a newer schema', () => {
    ledger.db.prepare("UPDATE meta SET value = '999' WHERE key = 'schema_version'").run();
    ledger.close();
    expect(() => Ledger.open(path)).toThrow(/newer polaris-mirror \(schema 999/);
    ledger = Ledger.open(join(dir, 'fresh.db'));
  });
});

describe('GroupCommit', () => {
  it('commits many concurrent writes in one transaction; each promise gets its own value', async () => {
    const group = new GroupCommit(ledger);
    let outer = 0;
    const original = ledger.transaction.bind(ledger);
    ledger.transaction = <T>(fn: () => T): T => {
      if (!ledger.db.inTransaction) outer++;
      return original(fn);
    };
    const writes = Array.from({ length: 50 }, (_, i) =>
      group.write(() => {
        expect(ledger.db.inTransaction).toBe(true);
        return ledger.observe([present(LOC1, { name: `t${i}`, order: 1 })])[0] + `:${i}`;
      }),
    );
    const results = await Promise.all(writes);
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => `accepted:${i}`));
    expect(outer).toBe(1);
    expect(ledger.rowsOfSource('src')).toHaveLength(50);
  });

  it('a throwing write rejects only its own promise and its changes are rolled back', async () => {
    const group = new GroupCommit(ledger);
    const first = group.write(() => {
      ledger.setCursor('a', 'one');
      return 1;
    });
    const failing = group.write(() => {
      ledger.setCursor('b', 'two');
      ledger.observe([present(LOC1, { name: 'doomed', order: 1 })]);
      throw new Error('bad write');
    });
    const third = group.write(() => {
      ledger.setCursor('c', 'three');
      return 3;
    });
    const settled = await Promise.allSettled([first, failing, third]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[0] as PromiseFulfilledResult<number>).value).toBe(1);
    expect((settled[2] as PromiseFulfilledResult<number>).value).toBe(3);
    expect(((settled[1] as PromiseRejectedResult).reason as Error).message).toBe('bad write');
    expect(ledger.cursor('a')).toBe('one');
    expect(ledger.cursor('b')).toBeUndefined();
    expect(ledger.cursor('c')).toBe('three');
    expect(ledger.rowsOfSource('src')).toEqual([]);
  });

  it('a batch whose writes all succeed runs them without savepoints (a savepoint doubles the cost of an UPDATE)', async () => {
    const group = new GroupCommit(ledger);
    let nested = 0;
    const original = ledger.transaction.bind(ledger);
    ledger.transaction = <T>(fn: () => T): T => {
      if (ledger.db.inTransaction) nested++;
      return original(fn);
    };
    const writes = Array.from({ length: 10 }, (_, i) => group.write(() => ledger.observe([present(LOC1, { name: `t${i}`, order: 1 })])[0]));
    expect(await Promise.all(writes)).toEqual(Array.from({ length: 10 }, () => 'accepted'));
    expect(nested).toBe(0);
    // One write throwing sends the batch round again, each write in a savepoint of its own.
    const runs: string[] = [];
    const settled = await Promise.allSettled([
      group.write(() => runs.push('a')),
      group.write(() => {
        runs.push('b');
        throw new Error('bad write');
      }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
    expect(runs).toEqual(['a', 'b', 'a', 'b']);
    expect(nested).toBe(2);
  });

  it('a batch of one write that throws is rejected at once and leaves nothing behind', async () => {
    const group = new GroupCommit(ledger);
    let runs = 0;
    const failing = group.write(() => {
      runs++;
      ledger.setCursor('lonely', 'never');
      throw new Error('bad write');
    });
    await expect(failing).rejects.toThrow('bad write');
    expect(runs).toBe(1);
    expect(ledger.cursor('lonely')).toBeUndefined();
    // The ledger takes the next batch as usual.
    await group.write(() => ledger.setCursor('lonely', 'later'));
    expect(ledger.cursor('lonely')).toBe('later');
  });

  it('a write resolves only after its batch committed (visible from another connection)', async () => {
    const group = new GroupCommit(ledger);
    await group.write(() => ledger.setCursor('s', 'durable'));
    const other = Ledger.open(path, { readonly: true });
    try {
      expect(other.cursor('s')).toBe('durable');
    } finally {
      other.close();
    }
  });

  it('writes queued after a flush go into a later batch; drained() waits for all', async () => {
    const group = new GroupCommit(ledger);
    await expect(group.drained()).resolves.toBeUndefined();
    const order: string[] = [];
    const a = group.write(() => order.push('a'));
    const drained = group.drained().then(() => order.push('drained'));
    await a;
    const b = group.write(() => order.push('b'));
    await Promise.all([b, drained]);
    expect(order[0]).toBe('a');
    expect(order).toContain('b');
    expect(order).toContain('drained');
  });

  it('acknowledges a durable write only once the log is fsynced (off the event loop), a relaxed one without it', async () => {
    const group = new GroupCommit(ledger);
    let release!: () => void;
    let syncs = 0;
    ledger.syncLog = () => {
      syncs++;
      return new Promise<void>((resolve) => (release = resolve));
    };
    expect(await group.write(() => ledger.setCursor('r', 'relaxed'), 'relaxed', true)).toBeUndefined();
    expect(syncs).toBe(0);
    let acknowledged = false;
    const durable = group.write(() => ledger.setCursor('d', 'durable')).then(() => (acknowledged = true));
    await vi.waitFor(() => expect(syncs).toBe(1));
    // Committed (another connection sees it) but not yet acknowledged: the fsync has not returned.
    const other = Ledger.open(path, { readonly: true });
    try {
      expect(other.cursor('d')).toBe('durable');
    } finally {
      other.close();
    }
    let drained = false;
    const idle = group.drained().then(() => (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(acknowledged).toBe(false);
    expect(drained).toBe(false);
    release();
    await Promise.all([durable, idle]);
    expect(acknowledged).toBe(true);
  });

  it('a failed log fsync rejects the durable writes of the batch and marks the ledger unable to store', async () => {
    const group = new GroupCommit(ledger);
    ledger.syncLog = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    const settled = await Promise.allSettled([group.write(() => 1), group.write(() => 2, 'relaxed')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled']);
    expect(((settled[0] as PromiseRejectedResult).reason as Error).message).toMatch(/EIO/);
    expect(ledger.writeHealth.state).toMatchObject({ ok: false, code: 'EIO' });
  });

  it('the real log fsync resolves, and a durable write is acknowledged after it', async () => {
    const group = new GroupCommit(ledger);
    await group.write(() => ledger.setCursor('s', 'synced'));
    await expect(ledger.syncLog()).resolves.toBeUndefined();
    expect(ledger.cursor('s')).toBe('synced');
  });

  it('a failed commit rejects every write of the batch', async () => {
    const group = new GroupCommit(ledger);
    ledger.close();
    const settled = await Promise.allSettled([group.write(() => 1), group.write(() => 2)]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    ledger = Ledger.open(path);
  });
});
