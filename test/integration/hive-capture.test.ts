// The Hive source end to end against a Thrift metastore emulator and the Polaris emulator: bootstrap
// (current event id first, then the listing), capture from the notification log, renames, drop and
// re-create, DROP_DATABASE, stripped metadata_location, Hive 4 (gzip messages, framed transport). The
// table life cycle runs with the warehouse on FILE storage and on S3.
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOG, STORAGES } from '../support/harness.js';
import { waitFor } from '../support/ingest-client.js';
import { metricValue, startHiveKit, type HiveKit, type RunningMirror } from '../emulators/hive/test-kit.js';

let kit: HiveKit;
let running: RunningMirror | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await kit?.close();
});

const history = (db: string, name: string) => kit.harness.emulator.history(CATALOG, [db], name).filter((e) => e.status === 204 && e.type !== 'VALIDATE');

describe.each(STORAGES)('Hive source: bootstrap, then the notification log, warehouse on %s storage', (storage) => {
  it('lists the metastore after reading the current event id, commits that id as cursor, then applies later events', async () => {
    kit = await startHiveKit({ storage });
    const a = await kit.createIceberg('sales', 'a');
    const b = await kit.createIceberg('sales', 'b');
    kit.metastore.createTable('sales', 'legacy', { parameters: { 'parquet.compression': 'SNAPPY' } });
    kit.metastore.createTable('sales', 'recent_orders', { tableType: 'VIRTUAL_VIEW' });
    const atStart = kit.metastore.currentEventId;

    running = await kit.start();
    await kit.waitForPolaris('sales.a', a);
    await kit.waitForPolaris('sales.b', b);
    await waitFor('the cursor', async () => (await running!.mirror.ledger.cursor('hms')) === String(atStart));
    const calls = kit.hms.stats.sequence;
    expect(calls.indexOf('get_current_notificationEventId')).toBeLessThan(calls.indexOf('get_all_databases'));
    // Nothing before the cursor is read from the log: the listing covered it.
    expect(kit.hms.stats.nextNotificationRequests[0]).toBe(atStart);
    expect(await metricValue(running.metrics, 'skipped', { source: 'hms', reason: 'not-iceberg' })).toBeGreaterThanOrEqual(1);
    expect(await metricValue(running.metrics, 'skipped', { source: 'hms', reason: 'view' })).toBeGreaterThanOrEqual(1);

    const a2 = await kit.commit('sales', 'a');
    const c = await kit.createIceberg('sales', 'c');
    kit.metastore.createTable('sales', 'legacy_2');
    await kit.waitForPolaris('sales.a', a2);
    await kit.waitForPolaris('sales.c', c);
    await waitFor('the cursor at the last event', async () => (await running!.mirror.ledger.cursor('hms')) === String(kit.metastore.currentEventId));
    expect([...kit.harness.polarisState().keys()].sort()).toEqual(['sales.a', 'sales.b', 'sales.c']);
    expect(history('sales', 'a').map((e) => e.type)).toEqual(['CREATE', 'UPDATE']);
    expect(await metricValue(running.metrics, 'sourceEvents', { source: 'hms', outcome: 'applied' })).toBe(2);
    expect(await metricValue(running.metrics, 'sourceEvents', { source: 'hms', outcome: 'ignored' })).toBe(1);
  });

  it('a rename (ALTER_TABLE with other names) is CREATE under the new name, then DROP of the old one', async () => {
    kit = await startHiveKit({ storage });
    const loc = await kit.createIceberg('sales', 'orders');
    running = await kit.start();
    await kit.waitForPolaris('sales.orders', loc);

    kit.metastore.createDatabase('archive');
    kit.metastore.renameTable('sales', 'orders', 'archive', 'orders_2024');
    await kit.waitForPolaris('archive.orders_2024', loc);
    await kit.waitForPolaris('sales.orders', undefined);
    const created = history('archive', 'orders_2024').find((e) => e.type === 'CREATE')!;
    const dropped = history('sales', 'orders').find((e) => e.type === 'DROP')!;
    expect(created.at).toBeLessThanOrEqual(dropped.at);
  });

  it('drop (purging the files) and re-create under the same name: the new table is mirrored after the old one is dropped', async () => {
    kit = await startHiveKit({ storage });
    const first = await kit.createIceberg('sales', 'daily');
    running = await kit.start();
    await kit.waitForPolaris('sales.daily', first);

    // DROP TABLE … PURGE: the files go with the table, so Polaris can no longer read its metadata.
    await kit.harness.dropTable(['sales'], 'daily');
    kit.metastore.dropTable('sales', 'daily');
    await kit.waitForPolaris('sales.daily', undefined);
    const second = await kit.createIceberg('sales', 'daily');
    expect(second).not.toBe(first);
    await kit.waitForPolaris('sales.daily', second);
    expect(history('sales', 'daily').map((e) => e.type)).toEqual(['CREATE', 'DROP', 'CREATE']);
  });

  it('DROP_DATABASE alone (no DROP_TABLE per table) drops every mirrored table of the database, each confirmed first', async () => {
    kit = await startHiveKit({ storage });
    const keep = await kit.createIceberg('keep', 't');
    for (const name of ['a', 'b', 'c']) await kit.createIceberg('tmp', name);
    running = await kit.start();
    await waitFor('four tables in Polaris', () => kit.harness.polarisState().size === 4);

    const readsBefore = kit.hms.stats.calls.get_table_req ?? 0;
    kit.metastore.dropDatabase('tmp', { cascade: true, silentTables: true });
    await waitFor('tmp tables dropped', () => [...kit.harness.polarisState().keys()].join() === 'keep.t');
    expect(kit.harness.polarisState().get('keep.t')).toBe(keep);
    // Each DROP was preceded by get_table_req answering NoSuchObjectException.
    expect((kit.hms.stats.calls.get_table_req ?? 0) - readsBefore).toBeGreaterThanOrEqual(3);
  });

});

describe('Hive source: messages and filters', () => {
  it('metadata_location stripped from messages: the table is read with get_table_req', async () => {
    kit = await startHiveKit({ metastore: { excludeParameters: /^(metadata_location|previous_metadata_location)$/ } });
    running = await kit.start();
    await waitFor('the bootstrap cursor', async () => (await running!.mirror.ledger.cursor('hms')) !== undefined);
    const loc = await kit.createIceberg('sales', 'orders');
    await kit.waitForPolaris('sales.orders', loc);
    const loc2 = await kit.commit('sales', 'orders');
    await kit.waitForPolaris('sales.orders', loc2);
    expect(kit.hms.stats.calls.get_table_req ?? 0).toBeGreaterThanOrEqual(2);
  });

  it('include/exclude: tables outside the filters are neither read nor mirrored', async () => {
    kit = await startHiveKit({ metastore: { excludeParameters: /^metadata_location$/ } });
    await kit.configure({ include: ['analytics.*'] });
    running = await kit.start();
    await waitFor('the bootstrap cursor', async () => (await running!.mirror.ledger.cursor('hms')) !== undefined);
    await kit.createIceberg('sales', 'orders');
    const kept = await kit.createIceberg('analytics', 'events');
    await kit.waitForPolaris('analytics.events', kept);
    await waitFor('the cursor at the last event', async () => (await running!.mirror.ledger.cursor('hms')) === String(kit.metastore.currentEventId));
    expect([...kit.harness.polarisState().keys()]).toEqual(['analytics.events']);
    expect(kit.hms.stats.calls.get_table_req).toBe(1); // only analytics.events was read
  });

  it('Hive 4: gzip(json-2.0) messages, framed transport, event ids beyond 2^53', async () => {
    const first = 2n ** 53n + 7n;
    kit = await startHiveKit({ metastore: { version: '4', firstEventId: first }, emulator: { transport: 'framed' } });
    await kit.configure({ transport: 'framed' });
    const a = await kit.createIceberg('lake', 'a');
    running = await kit.start();
    await kit.waitForPolaris('lake.a', a);
    const a2 = await kit.commit('lake', 'a');
    const b = await kit.createIceberg('lake', 'b');
    await kit.waitForPolaris('lake.a', a2);
    await kit.waitForPolaris('lake.b', b);
    expect(kit.metastore.messageFormat).toBe('gzip(json-2.0)');
    await waitFor('the exact cursor', async () => (await running!.mirror.ledger.cursor('hms')) === String(kit.metastore.currentEventId));
    expect((await running.mirror.ledger.cursor('hms'))).toBe((first + 3n).toString()); // CREATE_DATABASE, CREATE a, ALTER a, CREATE b → +3 after the first
  });
});
