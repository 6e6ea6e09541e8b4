// The Ledger interface against both implementations (SQLite file, real PostgreSQL): what the engine
// relies on must hold for each — and, for PostgreSQL, across several replicas on one database.
import { afterEach, describe, expect, it } from 'vitest';
import type { DueQuery, Ledger } from '../../src/ledger/ledger.js';
import type { MirrorRow } from '../../src/ledger/rows.js';
import { REDRIVE_PAGE } from '../../src/ledger/redrive-pages.js';
import pg from 'pg';
import { newPassStamp } from '../../src/ledger/pass-stamps.js';
import { keyAfter, pagedRows } from '../../src/ledger/row-reads.js';
import type { NormalizedObservation } from '../../src/normalizer/normalize.js';
import { BACKENDS, ledgerPlace, type LedgerPlace } from '../support/ledger-backends.js';
import { sharedPostgresUrl } from '../support/postgres-server.js';
import { absent, present } from '../unit/support.js';

const LOC1 = 's3://lake/db/t/metadata/00001-a.metadata.json';
const LOC2 = 's3://lake/db/t/metadata/00002-b.metadata.json';

let place: LedgerPlace | undefined;
const opened: Ledger[] = [];

function open(): Ledger {
  const ledger = place!.open();
  opened.push(ledger);
  return ledger;
}

afterEach(async () => {
  for (const ledger of opened.splice(0)) await ledger.close();
  await place?.dispose();
  place = undefined;
});

/** A statement on the test run's PostgreSQL, outside any ledger. */
async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: sharedPostgresUrl() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The ids of the due rows, now. */
async function dueIds(ledger: Ledger, query: Omit<DueQuery, 'now'>): Promise<number[]> {
  return (await ledger.dueRows({ now: Date.now(), ...query })).map((row) => row.id);
}

async function only(ledger: Ledger, source = 'src'): Promise<MirrorRow> {
  const rows = await ledger.rowsOfSource(source);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe.each(BACKENDS)('the %s ledger', (backend) => {
  it('pages a target namespace\'s rows in byte order for the target check, bounded per query', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    await ledger.ready();
    const names = ['t2', 'B', '\u00e9t\u00e9', 'a', 't10', 'Z9', 'a_b'];
    await ledger.commit({ observations: names.map((name, i) => present(`${LOC1}-${name}`, { name, order: i + 1 })) });
    // Another namespace and another source on the same target: never in this namespace's pages for 'src'.
    await ledger.commit({ observations: [present(LOC1, { name: 'a', namespace: ['other'], order: 1 }), present(LOC1, { name: 'a', source: 'else', order: 1 })] });
    const rows = await ledger.rowsOfSource('src');
    const applied = rows.find((r) => r.table.name === 'B' && r.table.namespace[0] === 'db')!;
    await ledger.applyOutcome({ kind: 'applied', id: applied.id, rev: applied.rev, applied: { state: 'present', metadataLocation: applied.desired.metadataLocation, tableUuid: null, timestamp: applied.desired.timestamp } });
    expect((await ledger.targetNamespaces({ polaris: 'default', catalog: 'lake' }, ['src'])).sort()).toEqual(['db', 'other']);
    // A namespace only another source has is not the source's; each source sees its own, whichever rows come first.
    await ledger.commit({ observations: [present(LOC1, { name: 'z', namespace: ['zz'], source: 'else', order: 1 })] });
    expect((await ledger.targetNamespaces({ polaris: 'default', catalog: 'lake' }, ['src'])).sort()).toEqual(['db', 'other']);
    expect((await ledger.targetNamespaces({ polaris: 'default', catalog: 'lake' }, ['else'])).sort()).toEqual(['db', 'zz']);
    expect((await ledger.targetNamespaces({ polaris: 'default', catalog: 'lake' }, ['src', 'else'])).sort()).toEqual(['db', 'other', 'zz']);
    expect(await ledger.targetNamespaces({ polaris: 'elsewhere', catalog: 'lake' }, ['src'])).toEqual([]);
    const seen: Array<{ name: string; held: boolean }> = [];
    let after: { name: string; id: number } | undefined;
    for (;;) {
      const page = await ledger.targetPage({ polaris: 'default', catalog: 'lake', namespace: 'db', sources: ['src'], after, limit: 2 });
      expect(page.length).toBeLessThanOrEqual(2);
      seen.push(...page.map((r) => ({ name: r.name, held: r.held })));
      if (page.length < 2) break;
      after = { name: page[page.length - 1]!.name, id: page[page.length - 1]!.id };
    }
    const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(seen.map((r) => r.name)).toEqual(byBytes);
    expect(seen.filter((r) => r.held).map((r) => r.name)).toEqual(['B']);
  });

  it('stores observations with their cursor and adapter state in one commit, and ignores stale ones', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    await ledger.ready();
    expect(await ledger.commit({ observations: [present(LOC1, { order: 10 })], source: 'src', cursor: 'c1', state: { etag: 'x' } })).toEqual(['accepted']);
    expect(await ledger.cursor('src')).toBe('c1');
    expect(await ledger.adapterState('src')).toEqual(new Map([['etag', 'x']]));
    expect(await ledger.commit({ observations: [present(LOC2, { order: 5 })] })).toEqual(['stale']);
    expect(await ledger.commit({ observations: [present(LOC1, { order: 11 })] })).toEqual(['unchanged']);
    const row = await only(ledger);
    expect(row).toMatchObject({ status: 'pending', desired: { state: 'present', metadataLocation: LOC1, order: 11 } });
    expect(await ledger.liveTables('src')).toEqual([{ namespace: ['db'], name: 't' }]);
    expect(await ledger.unfinished()).toEqual({ pending: 1, failed: 0 });
  });

  it("stores each observation's sourceVersion with it, and hands them back a page at a time", async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    const versioned = (obs: NormalizedObservation, version: string | undefined): NormalizedObservation =>
      obs.observation.state === 'present' ? { ...obs, observation: { ...obs.observation, sourceVersion: version } } : obs;
    const tables = ['t', 'u', 'never'].map((name) => ({ namespace: ['db'], name }));
    const versions = () => ledger.sourceVersions('src', tables);
    // A batch of new tables (PostgreSQL's bulk path), one without a version.
    await ledger.commit({ observations: [versioned(present(LOC1, { order: 10 }), 'v1'), present(LOC1, { order: 10, name: 'u' })] });
    expect(await versions()).toEqual(['v1', undefined, undefined]);
    // Same state, new version (a touch); a changed state with its own; a stale one changes nothing.
    await ledger.commit({ observations: [versioned(present(LOC1, { order: 11 }), 'v2'), versioned(present(LOC2, { order: 11, name: 'u' }), 'w1')] });
    expect(await versions()).toEqual(['v2', 'w1', undefined]);
    await ledger.commit({ observations: [versioned(present(LOC2, { order: 5 }), 'old')] });
    expect(await versions()).toEqual(['v2', 'w1', undefined]);
    // An observation without a version clears it (the version stands for the observation it came with); so does an absence.
    await ledger.commit({ observations: [present(LOC1, { order: 12 })] });
    await ledger.commit({ observations: [absent({ order: 12, name: 'u' })] });
    expect(await versions()).toEqual([undefined, undefined, undefined]);
    expect(await ledger.sourceVersions('src', [])).toEqual([]);
    expect(await ledger.sourceVersions('other', tables)).toEqual([undefined, undefined, undefined]);
  });

  it('a batch of many tables: new, changed, unchanged, stale and owned by another source, in one commit', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    const loc = (name: string, v: number) => `s3://lake/db/${name}/metadata/${v}.json`;
    await ledger.commit({ observations: ['a', 'b', 'c'].map((name) => present(loc(name, 1), { order: 10, name })) });
    await ledger.commit({ observations: [present(loc('x', 1), { order: 10, name: 'x', source: 'other' })] });
    const results = await ledger.commit({
      observations: [
        present(loc('a', 2), { order: 11, name: 'a' }), // changed
        present(loc('b', 1), { order: 11, name: 'b' }), // unchanged
        present(loc('c', 0), { order: 9, name: 'c' }), // stale
        present(loc('d', 1), { order: 11, name: 'd' }), // new
        present(loc('x', 2), { order: 11, name: 'x' }), // another source mirrors lake.db.x
      ],
      source: 'src',
      cursor: 'after-batch',
    });
    expect(results).toEqual(['accepted', 'unchanged', 'stale', 'accepted', 'rejected']);
    expect(await ledger.cursor('src')).toBe('after-batch');
    const rows = new Map((await ledger.rowsOfSource('src')).map((r) => [r.table.name, r]));
    expect(rows.get('a')).toMatchObject({ rev: 2, desired: { metadataLocation: loc('a', 2) } });
    expect(rows.get('x')).toMatchObject({ status: 'failed', ownerConflict: 'other' });
    expect(rows.get('d')!.desired.timestamp).toBeGreaterThan(0);
  });


  it('the same state seen again: a newer order is kept, no UUID keeps the stored one, a first UUID is stored; a new UUID there is a table re-created in place (a change)', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    const loc = (name: string) => `s3://lake/db/${name}/metadata/1.json`;
    const names = ['same', 'changed', 'missing', 'gained'];
    const uuids: Record<string, string | undefined> = { same: 'u-same', changed: 'u-old', missing: 'u-missing', gained: undefined };
    await ledger.commit({ observations: names.map((name) => present(loc(name), { order: 10, name, uuid: uuids[name] })) });
    const before = new Map((await ledger.rowsOfSource('src')).map((r) => [r.table.name, r]));
    const again = { same: 'u-same', changed: 'u-new', missing: undefined, gained: 'u-gained' } as Record<string, string | undefined>;
    // A batch (the pass's path) and then one table alone (an event's path).
    const results = await ledger.commit({ observations: names.map((name) => present(loc(name), { order: 11, name, uuid: again[name] })) });
    expect(results).toEqual(['unchanged', 'accepted', 'unchanged', 'unchanged']);
    expect(await ledger.commit({ observations: [present(loc('same'), { order: 12, name: 'same', uuid: 'u-alone' })] })).toEqual(['accepted']);
    const rows = new Map((await ledger.rowsOfSource('src')).map((r) => [r.table.name, r]));
    expect(rows.get('same')!.desired).toMatchObject({ tableUuid: 'u-alone', order: 12 });
    expect(rows.get('changed')!.desired).toMatchObject({ tableUuid: 'u-new', order: 11 });
    expect(rows.get('missing')!.desired).toMatchObject({ tableUuid: 'u-missing', order: 11 });
    expect(rows.get('gained')!.desired).toMatchObject({ tableUuid: 'u-gained', order: 11 });
    // The re-created tables got a new state to send (a higher timestamp); the others did not.
    for (const name of ['same', 'changed']) expect(rows.get(name)!.desired.timestamp).toBeGreaterThan(before.get(name)!.desired.timestamp);
    for (const name of ['missing', 'gained']) expect(rows.get(name)!.rev).toBe(before.get(name)!.rev);
  });

  it('hands the dispatcher whole due rows, oldest first, leaving out the tables it is working on', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    const names = ['a', 'b', 'c', 'd'];
    await ledger.commit({ observations: names.map((name) => present(`s3://lake/db/${name}/metadata/1.json`, { order: 1, name })) });
    const byName = new Map((await ledger.rowsOfSource('src')).map((row) => [row.table.name, row]));
    const first = await ledger.dueRows({ now: Date.now(), limit: 2 });
    // Whole rows, as get() reads them: the dispatcher converges them without reading each again.
    expect(first).toEqual([byName.get('a'), byName.get('b')].map((row) => expect.objectContaining({ id: row!.id, desired: row!.desired, applied: row!.applied, rev: row!.rev })));
    expect(await dueIds(ledger, { limit: 10, excluding: first.map((row) => row.id) })).toEqual([byName.get('c')!.id, byName.get('d')!.id]);
    expect(await dueIds(ledger, { limit: 10, excluding: [byName.get('b')!.id] })).toEqual([byName.get('a')!.id, byName.get('c')!.id, byName.get('d')!.id]);
    expect(await dueIds(ledger, { limit: 10, sources: ['other'] })).toEqual([]);
  });

  it('records outcomes, retries and redrives, and counts per source', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    await ledger.commit({ observations: [present(LOC1, { order: 1, name: 'a' }), present(LOC1.replace('/t/', '/u/'), { order: 1, name: 'b' })] });
    const [a, b] = (await ledger.rowsOfSource('src')).sort((x, y) => x.table.name.localeCompare(y.table.name));
    const due = await dueIds(ledger, { limit: 10 });
    expect(due.sort()).toEqual([a!.id, b!.id].sort());
    await ledger.applyOutcome({ kind: 'applied', id: a!.id, rev: a!.rev, applied: { state: 'present', metadataLocation: LOC1, tableUuid: null, timestamp: a!.desired.timestamp } });
    await ledger.applyOutcome({ kind: 'failed', id: b!.id, rev: b!.rev, error: 'refused', hint: 'fix it', delayMs: 60_000 });
    expect(await ledger.get(a!.id)).toMatchObject({ status: 'in_sync' });
    expect(await ledger.get(b!.id)).toMatchObject({ status: 'failed', lastError: 'refused', attempts: 1 });
    // The failed table waits a minute: due only once that has passed.
    expect(await ledger.counts()).toEqual([{ source: 'src', inSync: 1, pending: 0, failed: 1, due: 0 }]);
    expect(await ledger.counts(Date.now() + 120_000)).toEqual([{ source: 'src', inSync: 1, pending: 0, failed: 1, due: 1 }]);
    expect((await ledger.failedRows('src')).map((r) => r.id)).toEqual([b!.id]);
    expect(await ledger.nextAttemptAfter(Date.now())).toBeGreaterThan(Date.now());
    expect(await ledger.redrive({ allFailed: true })).toEqual([b!.id]);
    expect(await ledger.get(b!.id)).toMatchObject({ status: 'pending', nextAttemptAt: 0 });
    expect((await ledger.rowsNamed('db.b')).map((r) => r.id)).toEqual([b!.id]);
    // What a target check compares: only the applied, in-sync table is one the target must hold.
    const page = await ledger.targetPage({ polaris: 'default', catalog: 'lake', namespace: 'db', sources: ['src'], limit: 10 });
    expect(page.map((r) => ({ id: r.id, name: r.name, held: r.held }))).toEqual([
      { id: a!.id, name: 'a', held: true },
      { id: b!.id, name: 'b', held: false },
    ]);
    expect(await ledger.targetPage({ polaris: 'default', catalog: 'elsewhere', namespace: 'db', sources: ['src'], limit: 10 })).toEqual([]);
  });

  it('a redrive of every failed table goes a page at a time: each redriven once, runs failed in one millisecond included', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    const count = 2 * REDRIVE_PAGE + 345;
    await ledger.commit({ observations: Array.from({ length: count }, (_, i) => present(`${LOC1}-${i}`, { order: 1, name: `t${i}` })) });
    await ledger.commit({ observations: [present(`${LOC1}-other`, { order: 1, name: 'other', source: 'elsewhere' })] });
    const rows = await ledger.rowsOfSource('src');
    expect(rows).toHaveLength(count);
    // The first 1,500 failed in one millisecond (a run across the first page's end), the rest one by one.
    await Promise.all(rows.map((row, i) => ledger.applyOutcome({ kind: 'failed', id: row.id, rev: row.rev, error: 'refused', delayMs: 60_000 }, i < 1500 ? 5_000 : 6_000 + i)));
    const other = (await ledger.rowsOfSource('elsewhere'))[0]!;
    await ledger.applyOutcome({ kind: 'failed', id: other.id, rev: other.rev, error: 'refused', delayMs: 60_000 }, 5_000);
    expect((await ledger.counts()).find((c) => c.source === 'src')).toMatchObject({ failed: count });

    const ids = await ledger.redrive({ source: 'src' }, 9_000_000);

    expect(ids).toHaveLength(count);
    expect(new Set(ids)).toEqual(new Set(rows.map((row) => row.id)));
    expect((await ledger.counts()).find((c) => c.source === 'src')).toMatchObject({ failed: 0, pending: count });
    expect(await ledger.get(other.id)).toMatchObject({ status: 'failed' });
    // Every source at once (retry --all-failed) reaches the other one the same way.
    expect(await ledger.redrive({ allFailed: true }, 9_000_001)).toEqual([other.id]);
  });

  it("a sync's redrive makes only failed tables due: a pending table keeps its retry time", async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    const names = ['failing', 'retrying', 'other_source'];
    await ledger.commit({ observations: names.slice(0, 2).map((name) => present(`${LOC1}-${name}`, { order: 1, name })) });
    await ledger.commit({ observations: [present(`${LOC1}-other`, { order: 1, name: 'other_source', source: 'elsewhere' })] });
    const byName = new Map([...(await ledger.rowsOfSource('src')), ...(await ledger.rowsOfSource('elsewhere'))].map((row) => [row.table.name, row]));
    for (const name of ['failing', 'other_source']) {
      const row = byName.get(name)!;
      await ledger.applyOutcome({ kind: 'failed', id: row.id, rev: row.rev, error: 'refused', delayMs: 60_000 });
    }
    const retrying = byName.get('retrying')!;
    await ledger.applyOutcome({ kind: 'retry', id: retrying.id, rev: retrying.rev, error: 'busy', delayMs: 60_000 });
    const retryAt = (await ledger.get(retrying.id))!.nextAttemptAt;
    expect(retryAt).toBeGreaterThan(Date.now());

    expect(await ledger.redrive({ source: 'src' })).toEqual([byName.get('failing')!.id]);
    expect(await ledger.get(byName.get('failing')!.id)).toMatchObject({ status: 'pending', nextAttemptAt: 0 });
    expect(await ledger.get(retrying.id)).toMatchObject({ status: 'pending', nextAttemptAt: retryAt });
    expect(await ledger.get(byName.get('other_source')!.id)).toMatchObject({ status: 'failed' });
    // Naming a table still reaches a pending one (retry --table).
    expect(await ledger.redrive({ source: 'src', table: 'db.retrying' })).toEqual([retrying.id]);
    expect(await ledger.get(retrying.id)).toMatchObject({ status: 'pending', nextAttemptAt: 0 });
  });

  it('the failed tables and those waiting to retry, found however large the backlog before them (status, the console)', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    // 1,200 tables due now: every one sorts before a table whose retry is a minute away.
    await ledger.commit({ observations: Array.from({ length: 1_200 }, (_, i) => present(`${LOC1}-${i}`, { order: 1, name: `t${i}` })) });
    await ledger.commit({ observations: [present(`${LOC1}-x`, { order: 1, name: 'x', source: 'elsewhere' })] });
    const rows = await ledger.rowsOfSource('src');
    const [waiting, failing] = [rows.find((row) => row.table.name === 't7')!, rows.find((row) => row.table.name === 't8')!];
    await ledger.applyOutcome({ kind: 'retry', id: waiting.id, rev: waiting.rev, error: 'busy', delayMs: 60_000 });
    await ledger.applyOutcome({ kind: 'failed', id: failing.id, rev: failing.rev, error: 'refused', delayMs: 60_000 });
    const other = (await ledger.rowsOfSource('elsewhere'))[0]!;
    await ledger.applyOutcome({ kind: 'retry', id: other.id, rev: other.rev, error: 'busy', delayMs: 30_000 });

    expect((await ledger.retryingRows('src')).map((row) => row.id)).toEqual([waiting.id]);
    expect(await ledger.retryingRows('src', 1_000)).toEqual([expect.objectContaining({ id: waiting.id, status: 'pending', lastError: 'busy' })]);
    expect((await ledger.retryingRows('elsewhere')).map((row) => row.id)).toEqual([other.id]);
    expect((await ledger.failedRows('src')).map((row) => row.id)).toEqual([failing.id]);
    // Applied at last: no longer waiting.
    const now = (await ledger.get(waiting.id))!;
    await ledger.applyOutcome({ kind: 'applied', id: now.id, rev: now.rev, applied: { state: 'present', metadataLocation: `${LOC1}-7`, tableUuid: null, timestamp: now.desired.timestamp } });
    expect(await ledger.retryingRows('src')).toEqual([]);
  });

  // The two divergences the chaos run met: an attempt whose answer never came (Polaris applied it, the
  // client timed out), then a source state equal to what the ledger last saw applied.
  it('a CREATE left unanswered, then the table dropped in the source: still a DROP to check, not in sync', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    await ledger.commit({ observations: [present(LOC1, { order: 1 })] });
    const created = await only(ledger);
    await ledger.applyOutcome({ kind: 'applied', id: created.id, rev: created.rev, applied: { state: 'present', metadataLocation: LOC1, tableUuid: null, timestamp: created.desired.timestamp } });
    await ledger.commit({ observations: [absent({ order: 2 })] });
    const dropped = await only(ledger);
    await ledger.applyOutcome({ kind: 'applied', id: dropped.id, rev: dropped.rev, applied: { state: 'absent', metadataLocation: null, tableUuid: null, timestamp: dropped.desired.timestamp } });
    // Re-created; its CREATE is recorded as sent, and its answer times out.
    await ledger.commit({ observations: [present(LOC2, { order: 3 })] });
    const recreated = await only(ledger);
    await ledger.markSending(recreated.id, LOC2);
    await ledger.applyOutcome({ kind: 'retry', id: recreated.id, rev: recreated.rev, error: 'the request timed out', delayMs: 60_000 });
    await ledger.commit({ observations: [absent({ order: 4 })] });
    expect(await only(ledger)).toMatchObject({ status: 'pending', desired: { state: 'absent' }, sentLocation: LOC2 });
  });

  it('an UPDATE left unanswered, then the source back at the applied location: sent again, not in sync', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    await ledger.commit({ observations: [present(LOC1, { order: 1 })] });
    const first = await only(ledger);
    await ledger.applyOutcome({ kind: 'applied', id: first.id, rev: first.rev, applied: { state: 'present', metadataLocation: LOC1, tableUuid: null, timestamp: first.desired.timestamp } });
    await ledger.commit({ observations: [present(LOC2, { order: 2 })] });
    const updated = await only(ledger);
    await ledger.applyOutcome({ kind: 'retry', id: updated.id, rev: updated.rev, error: 'the request timed out', delayMs: 60_000 });
    await ledger.commit({ observations: [present(LOC1, { order: 3 })] });
    const back = await only(ledger);
    expect(back).toMatchObject({ status: 'pending', desired: { metadataLocation: LOC1 }, applied: { metadataLocation: LOC1 } });
    // Sent again with a newer timestamp than the unanswered one, so Polaris takes it over what it may hold.
    expect(back.desired.timestamp).toBeGreaterThan(updated.desired.timestamp);
  });

  it('a table named by its source or Polaris name, dots in names and nested namespaces included; a redrive by ids takes only those', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    await ledger.commit({
      observations: [
        present(`${LOC1}-1`, { order: 1, namespace: ['sales', 'eu'], name: 'orders' }),
        present(`${LOC1}-2`, { order: 1, namespace: ['sales'], name: 'eu.orders' }),
        present(`${LOC1}-3`, { order: 1, namespace: ['hr'], name: 'people', catalog: 'cat.two', targetNamespace: ['m', 'hr'] }),
        present(`${LOC1}-4`, { order: 1, namespace: ['sales', 'eu'], name: 'orders', source: 'other' }),
        present(`${LOC1}-5`, { order: 1, namespace: ['db'], name: 'orders' }),
      ],
    });
    const idsNamed = async (name: string, source?: string) => (await ledger.rowsNamed(name, source)).map((r) => `${r.source}:${r.table.namespace.join('/')}:${r.table.name}`).sort();
    // "sales.eu.orders" is both the three-level name and the table "eu.orders" in "sales".
    expect(await idsNamed('sales.eu.orders')).toEqual(['other:sales/eu:orders', 'src:sales/eu:orders', 'src:sales:eu.orders']);
    expect(await idsNamed('sales.eu.orders', 'src')).toEqual(['src:sales/eu:orders', 'src:sales:eu.orders']);
    expect(await idsNamed('cat.two.m.hr.people')).toEqual(['src:hr:people']);
    expect(await idsNamed('hr.people')).toEqual(['src:hr:people']);
    expect(await idsNamed('orders')).toEqual([]);
    expect(await idsNamed('eu.orders')).toEqual([]);

    const rows = await ledger.rowsOfSource('src');
    for (const row of rows) await ledger.applyOutcome({ kind: 'failed', id: row.id, rev: row.rev, error: 'refused', delayMs: 60_000 });
    const byLocation = new Map(rows.map((row) => [row.desired.metadataLocation, row.id]));
    expect((await ledger.redrive({ table: 'sales.eu.orders' })).sort()).toEqual([byLocation.get(`${LOC1}-1`)!, byLocation.get(`${LOC1}-2`)!].sort());
    const chosen = [byLocation.get(`${LOC1}-3`)!, byLocation.get(`${LOC1}-5`)!];
    expect((await ledger.redriveIds(chosen)).sort()).toEqual([...chosen].sort());
    expect((await ledger.rowsOfSource('src')).filter((row) => row.status === 'failed')).toEqual([]);
    // Already due (pending) or unknown ids: nothing to make due twice, nothing invented.
    expect(await ledger.redriveIds([999_999])).toEqual([]);
  });

  it('an outcome with its operation: the last request id, and the table history bounded per table', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    await ledger.commit({ observations: [present(LOC1, { order: 1 })] });
    const row = await only(ledger);
    const call = { method: 'POST', path: '/api/catalog/v1/lake/namespaces/db/tables/t/notifications', status: 503, durationMs: 7, startedAt: Date.now() };
    for (let i = 0; i < 25; i++) {
      await ledger.applyOutcome({ kind: 'retry', id: row.id, rev: row.rev, error: `busy ${i}`, delayMs: 0, requestId: `req-${i}` }, Date.now(), { action: 'create', calls: [call] });
    }
    expect((await ledger.get(row.id))!.lastRequestId).toBe('req-24');
    const history = await ledger.history(row.id);
    expect(history).toHaveLength(20);
    expect(history[0]).toMatchObject({ requestId: 'req-24', action: 'create', outcome: 'retry', detail: 'busy 24', calls: [`POST ${call.path} → 503 (7 ms)`] });
    await ledger.applyOutcome({ kind: 'applied', id: row.id, rev: row.rev, applied: { state: 'present', metadataLocation: LOC1, tableUuid: null, timestamp: 1 } });
    expect(await ledger.get(row.id)).toMatchObject({ status: 'in_sync', attempts: 0, lastError: null, lastRequestId: 'req-24' });
  });

  it('a drop: an absence of a table that was sent is pending; a first-seen absence is a tombstone', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    await ledger.commit({ observations: [present(LOC1, { order: 1 }), absent({ order: 1, name: 'never' })] });
    const row = (await ledger.rowsNamed('db.t'))[0]!;
    await ledger.applyOutcome({ kind: 'applied', id: row.id, rev: row.rev, applied: { state: 'present', metadataLocation: LOC1, tableUuid: null, timestamp: row.desired.timestamp } });
    expect(await ledger.commit({ observations: [absent({ order: 2 })] })).toEqual(['accepted']);
    expect((await ledger.rowsNamed('db.t'))[0]).toMatchObject({ status: 'pending', desired: { state: 'absent' } });
    expect((await ledger.rowsNamed('db.never'))[0]).toMatchObject({ status: 'in_sync', desired: { state: 'absent' } });
    // The DROP not applied yet: still live (Polaris holds it), no longer wanted (a pass's brake does not count it again).
    expect(await ledger.liveTables('src')).toEqual([{ namespace: ['db'], name: 't' }]);
    expect(await ledger.unseenCounts('src', newPassStamp())).toEqual({ mirrored: 0, unseen: 0 });
  });

  it('pass stamps: the live rows a pass did not see are its drop candidates, read in pages; stamps never go back', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    const loc = (name: string) => `s3://lake/db/${name}/metadata/1.json`;
    const names = ['a', 'b', 'c', 'd', 'e'];
    await ledger.commit({ observations: names.map((name) => present(loc(name), { order: 1, name })) });
    await ledger.commit({ observations: [absent({ order: 1, name: 'tomb' }), present(loc('x'), { order: 1, name: 'x', source: 'other' })] });
    const table = (name: string) => ({ namespace: ['db'], name });
    const later = 2_000_000_000_000;
    await ledger.markSeen('src', [table('b'), table('d'), table('nosuch'), table('tomb')], later);
    // An older, overlapping pass stamps 'd' after the later one did: 'd' keeps the later stamp.
    await ledger.markSeen('src', [table('a'), table('d')], later - 1);
    expect(await ledger.unseenCounts('src', later)).toEqual({ mirrored: 5, unseen: 3 });
    expect(await ledger.unseenCounts('src', later - 1)).toEqual({ mirrored: 5, unseen: 2 });
    const first = await ledger.unseenTables('src', later, 0, 2);
    expect(first.map((r) => r.table)).toEqual([table('a'), table('c')]);
    const rest = await ledger.unseenTables('src', later, first[1]!.id, 2);
    expect(rest.map((r) => r.table)).toEqual([table('e')]);
    expect(await ledger.unseenTables('src', later, rest[0]!.id, 2)).toEqual([]);
    expect(await ledger.unseenCounts('other', later)).toEqual({ mirrored: 1, unseen: 1 });
  });

  it('a pass batch: its observations and the stamps of its listed tables in one commit, first-seen rows included', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    const loc = (name: string) => `s3://lake/db/${name}/metadata/1.json`;
    const table = (name: string) => ({ namespace: ['db'], name });
    await ledger.commit({ observations: [present(loc('old'), { order: 1, name: 'old' }), present(loc('gone'), { order: 1, name: 'gone' })] });
    const stamp = 2_000_000_000_000;
    // 'new' is inserted by this very commit and stamped by it; 'skipped' is listed but not mirrored (no row).
    const results = await ledger.commit({
      observations: [present(loc('new'), { order: 2, name: 'new' }), present(loc('old'), { order: 2, name: 'old' })],
      source: 'src',
      seen: { source: 'src', tables: [table('new'), table('old'), table('skipped')], stamp },
    });
    expect(results).toEqual(['accepted', 'unchanged']);
    expect(await ledger.unseenCounts('src', stamp)).toEqual({ mirrored: 3, unseen: 1 });
    expect((await ledger.unseenTables('src', stamp, 0, 10)).map((r) => r.table)).toEqual([table('gone')]);
  });

  it('live tables under a namespace prefix: the namespace itself and those below it, not a longer name', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    const spec = (namespace: string[], name: string) => present(`s3://lake/${namespace.join('/')}/${name}/metadata/1.json`, { order: 1, namespace, name });
    await ledger.commit({ observations: [spec(['db'], 'a'), spec(['db', 'sub'], 'b'), spec(['dbx'], 'c'), spec(['other'], 'd')] });
    const names = async (prefix: string[]) => (await ledger.liveTables('src', prefix)).map((t) => t.name).sort();
    expect(await names(['db'])).toEqual(['a', 'b']);
    expect(await names(['db', 'sub'])).toEqual(['b']);
    expect(await names([])).toEqual(['a', 'b', 'c', 'd']);
  });

  it('rowsPage: a scope\'s rows by range of the key, in pages that neither skip nor repeat across page boundaries', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    const spec = (namespace: string[], name: string, source = 'src') =>
      present(`s3://lake/${namespace.join('/')}/${name}/metadata/1.json`, { order: 1, namespace, name, source });
    const inSales = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((name) => spec(['sales'], name));
    const under = [spec(['sales', 'eu'], 'x'), spec(['sales', 'eu', 'de'], 'y'), spec(['sales', 'us'], 'z')];
    // Neighbours of "sales" in every order a range could get wrong: longer, shorter, a control character below U+001F.
    const outside = [spec(['salesX'], 'a'), spec(['sale'], 'a'), spec(['sales\u0001'], 'a'), spec(['sales!'], 'a'), spec(['other'], 'a'), spec(['sales'], 'a', 'another')];
    await ledger.commit({ observations: [...outside, ...under, ...inSales] });
    const names = (rows: MirrorRow[]) => rows.map((r) => `${r.source}:${r.table.namespace.join('.')}.${r.table.name}`);
    const all = async (namespace: string[], limit: number, table?: string) => {
      const found: MirrorRow[] = [];
      for await (const page of pagedRows(ledger, { source: 'src', namespace, table, limit })) {
        expect(page.length).toBeLessThanOrEqual(limit);
        found.push(...page);
      }
      return names(found);
    };
    const sales = ['sales.a', 'sales.b', 'sales.c', 'sales.d', 'sales.e', 'sales.f', 'sales.g', 'sales.eu.x', 'sales.eu.de.y', 'sales.us.z'].map((n) => `src:${n}`);
    // Page sizes that end a page inside the namespace, at its last row and beyond it.
    for (const limit of [1, 2, 3, 7, 10, 100]) expect((await all(['sales'], limit)).sort()).toEqual([...sales].sort());
    expect((await all(['sales', 'eu'], 1)).sort()).toEqual(['src:sales.eu.de.y', 'src:sales.eu.x']);
    expect(await all(['sales', 'eu', 'de'], 1)).toEqual(['src:sales.eu.de.y']);
    expect(await all(['sales'], 2, 'c')).toEqual(['src:sales.c']);
    expect(await all(['sales', 'eu'], 2, 'c')).toEqual([]);
    expect(await all(['sale'], 1)).toEqual(['src:sale.a']);
    const whole = await all([], 3);
    expect(whole).toHaveLength(inSales.length + under.length + outside.length - 1);
    expect(new Set(whole).size).toBe(whole.length);
    expect(whole).not.toContain('another:sales.a');
    // The page after the last row of a page starts right after it, in the ledger's order.
    const first = await ledger.rowsPage({ source: 'src', namespace: ['sales'], limit: 4 });
    const next = await ledger.rowsPage({ source: 'src', namespace: ['sales'], limit: 100, after: keyAfter(first[3]!) });
    expect([...names(first), ...names(next)].sort()).toEqual([...sales].sort());
  });

  it('rowsPage: one table on several targets comes as one row per target, paged', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    const both = (obs: NormalizedObservation): NormalizedObservation => ({
      ...obs,
      targets: [
        { polaris: 'default', table: obs.target },
        { polaris: 'dr', table: { ...obs.target, catalog: 'lake_dr' } },
      ],
    });
    await ledger.commit({ observations: [both(present(LOC1, { order: 1, namespace: ['db'], name: 't' })), both(present(LOC1, { order: 1, namespace: ['db'], name: 'u' }))] });
    const found: string[] = [];
    for await (const page of pagedRows(ledger, { source: 'src', namespace: ['db'], table: 't', limit: 1 })) found.push(...page.map((r) => `${r.table.name}@${r.polaris}/${r.target.catalog}`));
    expect(found.sort()).toEqual(['t@default/lake', 't@dr/lake_dr']);
  });

  it('rowsOfTables: every target row of a batch of tables at once, each once, none of another source or table', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    const spec = (namespace: string[], name: string, source = 'src') =>
      present(`s3://lake/${namespace.join('/')}/${name}/metadata/1.json`, { order: 1, namespace, name, source });
    await ledger.commit({ observations: [spec(['db'], 'a'), spec(['db', 'sub'], 'a'), spec(['db'], 'b'), spec(['db'], 'a', 'other'), { ...spec(['db'], 'a'), polaris: 'dr' }] });
    const rows = await ledger.rowsOfTables('src', [
      { namespace: ['db'], name: 'a' },
      { namespace: ['db'], name: 'a' },
      { namespace: ['db', 'sub'], name: 'a' },
      { namespace: ['db'], name: 'missing' },
    ]);
    expect(rows.map((r) => `${r.source}:${r.table.namespace.join('.')}.${r.table.name}@${r.polaris}`).sort()).toEqual(['src:db.a@default', 'src:db.a@dr', 'src:db.sub.a@default']);
    expect(await ledger.rowsOfTables('src', [])).toEqual([]);
  });

  it('timestamps only rise: raiseTimestamp persists a higher one, a new state gets a higher one still', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    await ledger.commit({ observations: [present(LOC1, { order: 1000 })] });
    const first = await only(ledger);
    await ledger.raiseTimestamp(first.id, first.desired.timestamp + 5000);
    await ledger.raiseTimestamp(first.id, first.desired.timestamp + 10); // lower: ignored
    expect((await ledger.get(first.id))!.lastTimestamp).toBe(first.desired.timestamp + 5000);
    await ledger.commit({ observations: [present(LOC2, { order: 1001 })] });
    expect((await ledger.get(first.id))!.desired.timestamp).toBeGreaterThan(first.desired.timestamp + 5000);
  });

  it('several targets: one row per (table, target) with its own applied state, timestamps, attempts and failures', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    const both = (obs: NormalizedObservation): NormalizedObservation => ({
      ...obs,
      targets: [
        { polaris: 'default', table: obs.target },
        { polaris: 'dr', table: { ...obs.target, catalog: 'lake_dr' } },
      ],
    });
    expect(await ledger.commit({ observations: [both(present(LOC1, { order: 10, time: 1000 }))] })).toEqual(['accepted']);
    const rows = await ledger.rowsOfSource('src');
    expect(rows.map((r) => [r.polaris, r.target.catalog, r.status, r.desired.timestamp]).sort()).toEqual([
      ['default', 'lake', 'pending', 1000],
      ['dr', 'lake_dr', 'pending', 1000],
    ]);
    const main = rows.find((r) => r.polaris === 'default')!;
    const dr = rows.find((r) => r.polaris === 'dr')!;
    // Applied on one target; the other keeps failing because it cannot be reached.
    await ledger.applyOutcome({ kind: 'applied', id: main.id, rev: main.rev, applied: { state: 'present', metadataLocation: LOC1, tableUuid: null, timestamp: 1000 } });
    await ledger.applyOutcome({ kind: 'failed', id: dr.id, rev: dr.rev, error: 'connection refused', delayMs: 3_600_000, transient: true });
    expect(await ledger.get(main.id)).toMatchObject({ status: 'in_sync', attempts: 0, applied: { state: 'present' } });
    expect(await ledger.get(dr.id)).toMatchObject({ status: 'failed', attempts: 1, failureTransient: true, lastError: 'connection refused', applied: { state: null } });
    expect(await ledger.targetCounts()).toEqual([
      { source: 'src', polaris: 'default', catalog: 'lake', total: 1, inSync: 1, pending: 0, failed: 0 },
      { source: 'src', polaris: 'dr', catalog: 'lake_dr', total: 1, inSync: 0, pending: 0, failed: 1 },
    ]);
    // Only-rising per table per target: raising one target's timestamp leaves the other's alone.
    await ledger.raiseTimestamp(dr.id, 5000);
    await ledger.commit({ observations: [both(present(LOC2, { order: 11, time: 1001 }))] });
    expect((await ledger.get(main.id))!.desired.timestamp).toBe(1001);
    expect((await ledger.get(dr.id))!.desired.timestamp).toBe(5001);
    // A changed state starts over on every target; a transient failure is redriven when its target answers.
    await ledger.applyOutcome({ kind: 'failed', id: dr.id, rev: (await ledger.get(dr.id))!.rev, error: 'HTTP 503', delayMs: 3_600_000, transient: true });
    expect(await ledger.redriveTransient('default')).toBe(0);
    expect(await ledger.redriveTransient('dr')).toBe(1);
    expect(await ledger.get(dr.id)).toMatchObject({ status: 'pending', attempts: 0, failureTransient: false, nextAttemptAt: 0 });
    expect(await dueIds(ledger, { limit: 10, polaris: 'dr' })).toEqual([dr.id]);
    // A lane that also takes instances no longer configured: "dr" is not in the list, so its row comes too.
    expect(await dueIds(ledger, { limit: 10, polaris: 'default', configured: ['default'] })).toEqual([main.id, dr.id]);
    expect(await dueIds(ledger, { limit: 10, polaris: 'default', configured: ['default', 'dr'] })).toEqual([main.id]);
    // retry --target: only that target's rows.
    await ledger.applyOutcome({ kind: 'failed', id: main.id, rev: (await ledger.get(main.id))!.rev, error: 'refused', delayMs: 3_600_000 });
    expect(await ledger.redrive({ target: { polaris: 'dr', catalog: 'lake_dr' } })).toEqual([]);
    expect(await ledger.redrive({ target: { polaris: 'default', catalog: 'lake' } })).toEqual([main.id]);
    // Ownership is per target: another source may write the same names on an instance this one does not.
    expect(await ledger.commit({ observations: [present(LOC1, { order: 1, source: 'other', catalog: 'lake_dr' })] })).toEqual(['accepted']);
    expect(await ledger.commit({ observations: [{ ...present(LOC1, { order: 1, source: 'third', catalog: 'lake_dr' }), polaris: 'dr' }] })).toEqual(['rejected']);
  });

  it('the VALIDATE cache and marks of CREATEs about to be sent', async () => {
    place = ledgerPlace(backend);
    const ledger = open();
    expect(await ledger.isValidated('lake', 's3://lake/db/t')).toBe(false);
    await ledger.markValidated('lake', 's3://lake/db/t');
    expect(await ledger.isValidated('lake', 's3://lake/db/t')).toBe(true);
    await ledger.commit({ observations: [present(LOC1, { order: 1 })] });
    const row = await only(ledger);
    await ledger.markSending(row.id, LOC1);
    expect((await ledger.get(row.id))!.sentLocation).toBe(LOC1);
    await ledger.recordPass('src', { startedAt: 1, endedAt: 2, complete: true, summary: { listed: 1 } });
    expect(await ledger.sourceState('src')).toMatchObject({ passComplete: true, passSummary: { listed: 1 }, passEndedAt: 2 });
  });
});

describe('the PostgreSQL ledger shared by replicas', () => {
  it('replicas starting at once on an empty database migrate it once', async () => {
    place = ledgerPlace('postgres');
    const replicas = [open(), open(), open()];
    await Promise.all(replicas.map((r) => r.ready()));
    await replicas[0]!.commit({ observations: [present(LOC1, { order: 1 })] });
    for (const r of replicas) expect(await r.rowsOfSource('src')).toHaveLength(1);
  });

  it('retry --table locks only the named table: a row another replica holds locked does not make it wait', async () => {
    place = ledgerPlace('postgres');
    const ledger = open();
    await ledger.commit({ observations: ['wanted', 'busy'].map((name) => present(`s3://lake/db/${name}/metadata/1.json`, { order: 1, name })) });
    const rows = new Map((await ledger.rowsOfSource('src')).map((row) => [row.table.name, row]));
    const schema = (place.state as { schema: string }).schema;
    // Another replica's transaction holds the other pending row (as a commit of its outcome does).
    const other = new pg.Client({ connectionString: sharedPostgresUrl() });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT id FROM ${schema}.tables WHERE id = $1 FOR UPDATE`, [rows.get('busy')!.id]);
      // Either the retry finishes, or PostgreSQL shows a backend waiting for this transaction to end.
      const waitingForLock = async (): Promise<'waiting'> => {
        for (;;) {
          const found = await other.query(`SELECT 1 FROM pg_locks waiter JOIN pg_locks holder ON holder.transactionid = waiter.transactionid
            WHERE NOT waiter.granted AND holder.granted AND holder.pid = pg_backend_pid()`);
          if (found.rowCount! > 0) return 'waiting';
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      const retried = Promise.all([ledger.redrive({ table: 'db.wanted' }), ledger.redriveIds([rows.get('wanted')!.id])]).then(() => 'done' as const);
      expect(await Promise.race([retried, waitingForLock()])).toBe('done');
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
  });

  it('a due table is claimed by one replica at a time, and free again once its outcome is recorded', async () => {
    place = ledgerPlace('postgres');
    const [one, two] = [open(), open()];
    const names = Array.from({ length: 20 }, (_, i) => `t${i}`);
    await one.commit({ observations: names.map((name) => present(`s3://lake/db/${name}/metadata/1.json`, { order: 1, name })) });
    const [a, b] = await Promise.all([dueIds(one, { limit: 15 }), dueIds(two, { limit: 15 })]);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    expect(a.length + b.length).toBe(20);
    const id = a[0]!;
    expect(await dueIds(two, { limit: 100 })).not.toContain(id);
    expect(await two.claim([id])).toEqual([]); // retry --table leaves it to the replica working on it
    const row = (await one.get(id))!;
    await one.applyOutcome({ kind: 'retry', id, rev: row.rev, error: 'busy', delayMs: 0 });
    expect(await two.claim([id])).toEqual([id]);
    expect(await dueIds(one, { limit: 100 })).not.toContain(id);
    await two.releaseClaims([id]);
    expect(await dueIds(one, { limit: 100 })).toContain(id);
  });

  it('a replica keeps its claims by renewing them, loses them only once they lapse, and never takes one back', async () => {
    place = ledgerPlace('postgres');
    const [one, two] = [open(), open()];
    await one.commit({ observations: [present(LOC1, { order: 1 })] });
    const [id] = await dueIds(one, { limit: 10 });
    // What 30 s without a renewal does to a claim, without waiting 30 s: it lapses.
    const lapse = () => sql(`UPDATE ${(place!.state as { schema: string }).schema}.tables SET claimed_until = 0`);
    await lapse();
    await one.renewClaims([id!]);
    expect(await two.claim([id!])).toEqual([]);
    await lapse();
    expect(await two.claim([id!])).toEqual([id]);
    await one.renewClaims([id!]);
    expect(await one.claim([id!])).toEqual([]);
  });

  it('no two replicas assign the same timestamp to a table, and none goes back', async () => {
    place = ledgerPlace('postgres');
    const replicas = [open(), open(), open()];
    // Same source time everywhere: without the row lock, replicas would pick the same "next" timestamp.
    const commits = replicas.flatMap((r, i) =>
      Array.from({ length: 10 }, (_, k) => r.commit({ observations: [present(`s3://lake/db/t/metadata/${i}-${k}.json`, { order: 1000 + i * 10 + k, time: 5000 })] })),
    );
    await Promise.all(commits);
    const row = await only(replicas[0]!);
    // Every accepted change got a timestamp above the previous one: the last is at least first + changes - 1.
    expect(row.lastTimestamp).toBeGreaterThanOrEqual(5000);
    const changes = (await Promise.all(commits)).flat().filter((r) => r === 'accepted').length;
    expect(row.lastTimestamp - 5000).toBeGreaterThanOrEqual(changes - 1);
  });

  it('a watch lease is held by one replica, renewed by it, and taken over once it expires', async () => {
    place = ledgerPlace('postgres');
    const [one, two] = [open(), open()];
    expect(await one.takeWatchLease('source:hms', 60_000)).toBe(true);
    expect(await two.takeWatchLease('source:hms', 60_000)).toBe(false);
    expect(await one.takeWatchLease('source:hms', 1)).toBe(true); // renewal, now expiring at once
    await expect.poll(() => two.takeWatchLease('source:hms', 60_000), { timeout: 10_000 }).toBe(true);
    expect(await one.takeWatchLease('source:hms', 60_000)).toBe(false);
    const leases = await one.watchLeases();
    expect(leases).toEqual([expect.objectContaining({ name: 'source:hms', holder: two.replicaId, live: true })]);
    await two.dropWatchLease('source:hms');
    expect(await one.takeWatchLease('source:hms', 60_000)).toBe(true);
  });
});
