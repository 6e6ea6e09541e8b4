// The Glue source's full scan through the engine, with the real AWS SDK against the Glue emulator and
// the Polaris emulator reading the tables' metadata from the same S3 paths (in memory) — or, for the
// scan's life cycle, from a shared file system (file://).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsError, notFound, throttled } from '../emulators/glue/aws-errors.js';
import { federatedTable, hiveTable, icebergTable, icebergWithoutMetadata, resourceLink, viewTable } from '../emulators/glue/glue-tables.js';
import { STORAGES } from '../support/harness.js';
import { CATALOG, counter, SOURCE, startGlueHarness, type GlueHarness } from './glue-harness.js';

let h: GlueHarness;
afterEach(async () => {
  await h?.close();
});

describe.each(STORAGES)('full scan, metadata on %s storage', (storage) => {
  beforeEach(async () => {
    h = await startGlueHarness({ storage });
    await h.writeConfig((source) => delete source.events);
  });

  it('mirrors every Iceberg table and skips every other kind, counted by reason', async () => {
    const orders = h.lake.commit('sales', 'orders');
    for (const t of ['returns', 'customers']) h.lake.commit('sales', t);
    h.lake.commit('hr', 'people');
    const { catalog } = h.glue;
    catalog.createTable('sales', hiveTable('crawled_csv', 's3://lake/raw/csv'));
    catalog.createTable('sales', icebergWithoutMetadata('lf_tmp', 's3://lake/warehouse/sales.db/lf_tmp'));
    catalog.createTable('sales', resourceLink('shared_orders', { database: 'partner', name: 'orders', catalogId: '210987654321' }));
    catalog.createTable('hr', federatedTable('payroll'));
    catalog.createTable('hr', viewTable('people_view'));
    // table_type in lower case, as some writers put it, is still Iceberg.
    const lower = h.lake.commit('hr', 'lower');
    catalog.updateTable('hr', icebergTable('lower', { location: h.lake.tableLocation('hr', 'lower'), metadataLocation: lower, tableType: 'iceberg' }));

    const { summary, metrics } = await h.sync();

    expect(summary).toMatchObject({ converged: true, created: 5, listed: 10 });
    expect(summary.skipped).toEqual({ 'not-iceberg': 1, 'no-metadata-location': 1, 'resource-link': 1, federated: 1, view: 1 });
    expect([...h.polarisState().keys()].sort()).toEqual(['hr.lower', 'hr.people', 'sales.customers', 'sales.orders', 'sales.returns']);
    expect(h.polarisState().get('sales.orders')).toBe(orders);
    expect(await counter(metrics, 'polaris_mirror_skipped_tables_total', { source: SOURCE, reason: 'resource-link' })).toBe(1);
    // The GetTables pages carry the parameters: no GetTable per table.
    expect(h.glue.calls()).toEqual({ 'GetDatabases:ok': 1, 'GetTables:ok': 2 });
    expect(await counter(metrics, 'polaris_mirror_source_calls_total', { source: SOURCE, operation: 'GetTables', outcome: 'ok' })).toBe(2);
  });

  it('follows NextToken through every page, and a second scan with no change sends nothing', async () => {
    await h.close();
    h = await startGlueHarness({ glue: { maxPageSize: 10 }, storage });
    await h.writeConfig((source) => delete source.events);
    for (let i = 0; i < 25; i++) h.lake.commit('big', `t${String(i).padStart(2, '0')}`);

    const first = await h.sync();
    expect(first.summary).toMatchObject({ converged: true, created: 25 });
    expect(h.polarisState().size).toBe(25);
    expect(h.glue.calls()['GetTables:ok']).toBe(3);

    const before = h.polaris.stats().notifications;
    const second = await h.sync();
    expect(second.summary).toMatchObject({ converged: true, created: 0, updated: 0, unchanged: 25 });
    expect(h.polaris.stats().notifications).toEqual(before);
  });

  it('an updated table is updated; a dropped one is dropped after GetTable confirms it is gone', async () => {
    for (const t of ['a', 'b', 'c', 'd', 'e']) h.lake.commit('db', t);
    await h.sync();
    const newer = h.lake.commit('db', 'a');
    h.lake.drop('db', 'b');

    const { summary } = await h.sync();

    expect(summary).toMatchObject({ converged: true, updated: 1, dropped: 1 });
    expect(h.polarisState().get('db.a')).toBe(newer);
    expect(h.polarisState().has('db.b')).toBe(false);
    expect(h.glue.calls()['GetTable:EntityNotFoundException']).toBe(1);
  });

  it('a purged drop (Athena DROP TABLE: the metadata files go too) is still dropped in Polaris', async () => {
    for (const t of ['a', 'b', 'c', 'd', 'e']) h.lake.commit('db', t);
    await h.sync();
    h.lake.drop('db', 'b', { purge: true });

    const { summary } = await h.sync();

    expect(summary).toMatchObject({ converged: true, dropped: 1 });
    expect(h.polarisState().has('db.b')).toBe(false);
    expect(h.polaris.history(CATALOG, ['db'], 'b').at(-1)).toMatchObject({ type: 'DROP', status: 204 });
  });

  it('a table dropped and re-created under the same name ends as the new table', async () => {
    for (const t of ['a', 'b', 'c', 'd', 'e']) h.lake.commit('db', t);
    await h.sync();
    h.lake.drop('db', 'a');
    const recreated = h.lake.commit('db', 'a');
    expect(h.lake.uuidOf('db', 'a')).toBeDefined();

    const { summary } = await h.sync();

    expect(summary).toMatchObject({ converged: true, dropped: 0 });
    expect(h.polarisState().get('db.a')).toBe(recreated);
  });

  it('a rename (Glue: create + delete) is CREATE of the new name, then DROP of the old one', async () => {
    for (const t of ['orders', 'b', 'c', 'd', 'e']) h.lake.commit('sales', t);
    await h.sync();
    h.lake.rename('sales', 'orders', 'orders_v2');

    const { summary } = await h.sync();

    expect(summary).toMatchObject({ converged: true, created: 1, dropped: 1 });
    const created = h.polaris.history(CATALOG, ['sales'], 'orders_v2').find((e) => e.type === 'CREATE' && e.status === 204)!;
    const dropped = h.polaris.history(CATALOG, ['sales'], 'orders').find((e) => e.type === 'DROP' && e.status === 204)!;
    expect(created.at).toBeLessThanOrEqual(dropped.at);
    expect([...h.polarisState().keys()].sort()).toEqual(['sales.b', 'sales.c', 'sales.d', 'sales.e', 'sales.orders_v2']);
  });
});

describe('safety', () => {
  beforeEach(async () => {
    h = await startGlueHarness();
    await h.writeConfig((source) => delete source.events);
  });

  it('a scan that fails half-way drops nothing', async () => {
    for (const db of ['a', 'b', 'c']) for (const t of ['t1', 't2']) h.lake.commit(db, t);
    await h.sync();
    // Database c emptied (a complete scan would drop its tables), but the scan breaks at database b.
    h.lake.drop('c', 't1');
    h.lake.drop('c', 't2');
    h.glue.faults.failCalls('GetTables', 100, new AwsError('InternalServiceException', 'Internal service error', 500), 1);

    const { summary } = await h.sync();

    expect(summary.converged).toBe(false);
    expect(summary.dropped).toBe(0);
    expect(summary.passes[0]).toMatchObject({ complete: false });
    expect(summary.passes[0]!.error).toMatch(/nothing was dropped.*InternalServiceException/);
    expect([...h.polarisState().keys()]).toContain('c.t1');
    expect(h.glue.calls()['GetTable:ok'] ?? 0).toBe(0);
  });

  it('a database reported missing by GetTables drops nothing until GetTable confirms each table gone', async () => {
    for (const db of ['a', 'b']) for (const t of ['t1', 't2', 't3', 't4', 't5']) h.lake.commit(db, t);
    await h.sync();
    h.lake.drop('b', 't5');
    // As if database b were deleted between GetDatabases and GetTables: its tables become drop
    // candidates, and each is read before any DROP.
    h.glue.faults.failCalls('GetTables', 1, notFound('Database b'), 1);

    const { summary } = await h.sync({ allowMassDrop: true });

    expect(summary).toMatchObject({ converged: true, dropped: 1 });
    expect([...h.polarisState().keys()].filter((k) => k.startsWith('b.')).sort()).toEqual(['b.t1', 'b.t2', 'b.t3', 'b.t4']);
    expect(h.glue.calls()).toMatchObject({ 'GetTable:ok': 4, 'GetTable:EntityNotFoundException': 1 });
  });

  it('a database the connector may not read fails the scan with a permission hint, dropping nothing', async () => {
    for (const db of ['a', 'b']) for (const t of ['t1', 't2', 't3']) h.lake.commit(db, t);
    await h.sync();
    h.glue.faults.set({ accessDenied: ['b'] });

    const { summary } = await h.sync();

    expect(summary).toMatchObject({ converged: false, dropped: 0 });
    expect(summary.passes[0]!.hint).toMatch(/permission/);
    expect(h.polarisState().size).toBe(6);
  });

  it('a table hidden by Lake Formation is never dropped: AccessDenied fails it with a permission hint', async () => {
    for (const t of ['t1', 't2', 't3', 't4', 't5']) h.lake.commit('db', t);
    await h.sync();
    // Access revoked: GetTables leaves the table out, GetTable answers AccessDeniedException.
    h.glue.faults.set({ accessDenied: ['db.t1'] });

    const { summary, rows } = await h.sync();

    expect(summary.dropped).toBe(0);
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0]).toMatchObject({ table: 'db.t1' });
    expect(summary.failed[0]!.message).toMatch(/AccessDeniedException/);
    expect(summary.failed[0]!.hint).toMatch(/permission/);
    expect(h.polarisState().has('db.t1')).toBe(true);
    expect(rows.find((r) => r.table.name === 't1')).toMatchObject({ status: 'failed', applied: { state: 'present' } });
    expect(h.polaris.history(CATALOG, ['db'], 't1').map((e) => e.type)).not.toContain('DROP');
  });

  it('throttling is retried by the SDK and counted', async () => {
    for (const db of ['a', 'b']) h.lake.commit(db, 't1');
    h.glue.faults.failCalls('GetTables', 2, throttled());

    const { summary, metrics } = await h.sync();

    expect(summary).toMatchObject({ converged: true, created: 2 });
    const throttles = await counter(metrics, 'polaris_mirror_source_throttles_total', { source: SOURCE });
    const throttledCalls = Object.entries(h.glue.calls())
      .filter(([k]) => k.endsWith(':ThrottlingException'))
      .reduce((n, [, v]) => n + v, 0);
    expect(throttledCalls).toBe(2);
    expect(throttles).toBe(throttledCalls);
    expect(await counter(metrics, 'polaris_mirror_source_calls_total', { source: SOURCE, outcome: 'throttled' })).toBe(throttledCalls);
  });
});
