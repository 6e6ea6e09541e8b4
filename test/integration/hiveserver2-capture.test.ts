// The hiveserver2 source end to end: HiveServer2 emulator (TCLIService, read by hive-driver) → engine →
// Polaris emulator. Listing, change capture from sys.notification_log, drops confirmed by a fresh read,
// and scans only when the log cannot be read.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/ingest-client.js';
import { startHs2Kit, type Hs2Kit } from '../emulators/hiveserver2/test-kit.js';
import type { RunningMirror } from '../emulators/hive/test-kit.js';
import { buildStatus } from '../../src/cli/commands/status.js';

let kit: Hs2Kit | undefined;
let running: RunningMirror | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await kit?.close();
  kit = undefined;
});

const cursorAt = (id: bigint) => waitFor(`the cursor at ${id}`, async () => (await running!.mirror.ledger.cursor('hs2')) === String(id));

describe('hiveserver2 source', () => {
  it('lists Iceberg tables, skips others with reasons, then follows sys.notification_log: commits, renames, drops', async () => {
    kit = await startHs2Kit({ hs2: { auth: 'plain', users: { svc: 'svc-secret' } } });
    const orders = await kit.createIceberg('sales', 'orders');
    const items = await kit.createIceberg('sales', 'items');
    kit.metastore.createTable('sales', 'legacy_csv');
    kit.hs2.setRunningPolls(1);
    running = await kit.start();
    await kit.waitForPolaris('sales.orders', orders);
    await kit.waitForPolaris('sales.items', items);
    await cursorAt(kit.metastore.currentEventId);
    expect(kit.harness.polarisState().has('sales.legacy_csv')).toBe(false);

    // Changes after the listing arrive through the log.
    const orders2 = await kit.commit('sales', 'orders');
    const fresh = await kit.createIceberg('ops', 'runs');
    await kit.waitForPolaris('sales.orders', orders2);
    await kit.waitForPolaris('ops.runs', fresh);
    kit.metastore.dropTable('sales', 'items');
    await kit.waitForPolaris('sales.items', undefined);
    await cursorAt(kit.metastore.currentEventId);

    // Every statement named its identifiers backquoted; every session and operation was closed or is in use.
    expect(kit.hs2.stats.statements).toContain('SHOW TBLPROPERTIES `sales`.`orders`');
    expect(kit.hs2.stats.statements.some((s) => s.startsWith('SELECT event_id, event_time, event_type, cat_name, db_name, tbl_name, message, message_format FROM sys.notification_log WHERE event_id > '))).toBe(true);
    expect(kit.hs2.stats.peakSessions).toBeLessThanOrEqual(4 + 1);
    const status = await buildStatus(running.mirror.ledger, [{ name: 'hs2', type: 'hiveserver2' }]);
    expect(status.sources[0]!.capture).toBe('change log: sys.notification_log');
  });

  it('a drop is confirmed by a fresh read: a table still there is not dropped', async () => {
    kit = await startHs2Kit();
    for (const name of ['a', 'b', 'c', 'd', 'e']) await kit.createIceberg('sales', name);
    running = await kit.start();
    await waitFor('five tables in Polaris', () => kit!.harness.polarisState().size === 5);
    await cursorAt(kit.metastore.currentEventId);
    // A DROP_TABLE event for a table that still exists (a drop and re-create whose CREATE event is not read yet).
    kit.metastore.appendRawEvent({ eventType: 'DROP_TABLE', dbName: 'sales', tableName: 'a', message: JSON.stringify({ db: 'sales', table: 'a' }), messageFormat: 'json-0.2' });
    const b2 = await kit.commit('sales', 'b');
    await kit.waitForPolaris('sales.b', b2);
    await cursorAt(kit.metastore.currentEventId);
    // The listing read it once; the engine reads it again before any DROP, finds it, and keeps it.
    await waitFor('a fresh read of sales.a', () => kit!.hs2.stats.statements.filter((s) => s === 'SHOW TBLPROPERTIES `sales`.`a`').length >= 2);
    await waitFor('nothing pending', async () => (await running!.mirror.ledger.counts()).every((c) => c.pending === 0));
    expect(kit.harness.polarisState().has('sales.a')).toBe(true);
  });

  it('without SELECT on sys.notification_log: periodic scans only, and status says why', async () => {
    kit = await startHs2Kit();
    kit.hs2.deny('sys.notification_log', true);
    await kit.configureHs2({ scanIntervalSeconds: 1 });
    const a = await kit.createIceberg('sales', 'a');
    running = await kit.start();
    await kit.waitForPolaris('sales.a', a);
    const a2 = await kit.commit('sales', 'a');
    await kit.waitForPolaris('sales.a', a2);
    const status = await buildStatus(running.mirror.ledger, [{ name: 'hs2', type: 'hiveserver2' }]);
    expect(status.sources[0]!.capture).toBe('scans only: SELECT on sys.notification_log is not granted to this user');
    expect((await running.mirror.ledger.cursor('hs2'))).toBeUndefined();
  });

  it('Hive 2 (no sys database) and changeLog: off scan too', async () => {
    kit = await startHs2Kit();
    kit.hs2.setSysDatabase(false);
    await kit.configureHs2({ scanIntervalSeconds: 1 });
    const a = await kit.createIceberg('sales', 'a');
    running = await kit.start();
    await kit.waitForPolaris('sales.a', a);
    expect((await buildStatus(running.mirror.ledger, [{ name: 'hs2', type: 'hiveserver2' }])).sources[0]!.capture).toBe(
      'scans only: sys.notification_log does not exist: Hive 3+ with the sys database is needed',
    );
    await running.stop();
    kit.hs2.setSysDatabase(true);
    await kit.configureHs2({ changeLog: 'off', scanIntervalSeconds: 1 });
    running = await kit.start();
    const a2 = await kit.commit('sales', 'a');
    await kit.waitForPolaris('sales.a', a2);
    expect((await buildStatus(running.mirror.ledger, [{ name: 'hs2', type: 'hiveserver2' }])).sources[0]!.capture).toBe('scans only: changeLog: off');
    expect(kit.hs2.stats.statements.some((s) => s.includes('notification_log') && s.startsWith('SELECT event_id'))).toBe(false);
  });
});
