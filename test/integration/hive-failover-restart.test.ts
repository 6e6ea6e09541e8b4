// Staying on the log through trouble: fail-over between two metastores sharing one database, a
// metastore restarting mid-stream, a connector restarting mid-stream (resumes at its committed cursor:
// nothing lost, nothing older applied again), call timeouts, a refused notification API.
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOG } from '../support/harness.js';
import { waitFor } from '../support/ingest-client.js';
import { startHiveMetastoreEmulator, type HiveMetastoreEmulator } from '../emulators/hive/index.js';
import { metricValue, startHiveKit, type HiveKit, type RunningMirror } from '../emulators/hive/test-kit.js';
import { SqliteStore } from '../../src/ledger/sqlite/sqlite-store.js';

let kit: HiveKit;
let running: RunningMirror | undefined;
let second: HiveMetastoreEmulator | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await second?.close();
  second = undefined;
  await kit?.close();
});

const cursor = async () => (await running!.mirror.ledger.cursor('hms'));
const cursorAt = (id: bigint) => waitFor(`the cursor at ${id}`, async () => (await cursor()) === String(id));
const upserts = (db: string, name: string) =>
  kit.harness.emulator.history(CATALOG, [db], name).filter((e) => e.status === 204 && (e.type === 'CREATE' || e.type === 'UPDATE')).map((e) => e.metadataLocation);

describe('fail-over and restarts', () => {
  it('fails over to the second metastore when the first goes down, and back', async () => {
    kit = await startHiveKit();
    second = await startHiveMetastoreEmulator({ metastore: kit.metastore });
    await kit.configure({ uris: [kit.hms.uri, second.uri], callTimeoutMs: 2000 });
    running = await kit.start();
    await cursorAt(kit.metastore.currentEventId);

    await kit.hms.stop();
    const a = await kit.createIceberg('sales', 'a');
    await kit.waitForPolaris('sales.a', a);
    expect(second.stats.calls.get_next_notification ?? 0).toBeGreaterThan(0);
    expect(kit.logs.some((l) => l.level === 40 && String(l.msg).includes(`trying ${second!.uri}`))).toBe(true);

    await kit.hms.start();
    await second.stop();
    const before = kit.hms.stats.calls.get_next_notification ?? 0;
    const a2 = await kit.commit('sales', 'a');
    await kit.waitForPolaris('sales.a', a2);
    expect(kit.hms.stats.calls.get_next_notification).toBeGreaterThan(before);
  });

  it('a metastore restart mid-stream: the events written while it was down are read once it is back, without a gap', async () => {
    kit = await startHiveKit();
    await kit.configure({ connectTimeoutMs: 500 });
    running = await kit.start();
    await cursorAt(kit.metastore.currentEventId);
    await kit.hms.stop();
    const a = await kit.createIceberg('sales', 'a'); // written to the shared database while the server is down
    await waitFor('the watcher to fail against the stopped metastore', () => kit.logs.some((l) => /reading the notification log of hms failed/.test(l.msg)));
    await kit.hms.start();
    await kit.waitForPolaris('sales.a', a);
    expect(kit.harness.emulator.history(CATALOG, ['sales'], 'a').filter((e) => e.type === 'CREATE')).toHaveLength(1);
    expect(await metricValue(running.metrics, 'sourceGaps', { source: 'hms' })).toBe(0);
    expect(kit.logs.filter((l) => /gap/.test(l.msg))).toEqual([]);
  });

  it('a connector restart mid-stream resumes at the committed cursor: every table ends at its last commit, none goes back', async () => {
    kit = await startHiveKit();
    await kit.configure({ batchSize: 10 });
    const names = ['t0', 't1', 't2', 't3', 't4'];
    const history = new Map<string, string[]>();
    for (const name of names) history.set(name, [await kit.createIceberg('lake', name)]);
    running = await kit.start();
    await cursorAt(kit.metastore.currentEventId);

    const commitRound = async () => {
      for (const name of names) history.get(name)!.push(await kit.commit('lake', name));
    };
    const before = kit.metastore.currentEventId;
    // 100 events in batches of 10: a commit takes at most 40 while the log is behind, so there are several.
    for (let round = 0; round < 20; round++) await commitRound();
    // Stop as soon as the first batches are in: mid-stream.
    await waitFor('a first batch applied', async () => BigInt((await cursor()) ?? '0') > before, 60_000, 1);
    await running.stop();
    const ledger = SqliteStore.open(kit.harness.statePath, { readonly: true });
    const committed = BigInt(ledger.cursor('hms') ?? '0');
    ledger.close();
    expect(committed).toBeLessThan(kit.metastore.currentEventId);

    for (let round = 0; round < 2; round++) await commitRound();
    const requestsBefore = kit.hms.stats.nextNotificationRequests.length;
    const listingsBefore = kit.hms.stats.calls.get_all_databases ?? 0;
    running = await kit.start();
    await cursorAt(kit.metastore.currentEventId);
    for (const name of names) await kit.waitForPolaris(`lake.${name}`, history.get(name)!.at(-1));

    // Resumed exactly where it had committed, with no new listing.
    expect(kit.hms.stats.nextNotificationRequests[requestsBefore]).toBe(committed);
    expect(kit.hms.stats.calls.get_all_databases ?? 0).toBe(listingsBefore);
    // What Polaris accepted per table follows the commit order: nothing older was applied again.
    for (const name of names) {
      const sent = upserts('lake', name);
      const positions = sent.map((location) => history.get(name)!.indexOf(location));
      expect(positions, name).toEqual([...new Set(positions)].sort((x, y) => x - y));
      expect(positions.every((p) => p >= 0)).toBe(true);
    }
  });

  it('a call that does not answer in callTimeoutMs is abandoned and retried on a new connection', async () => {
    kit = await startHiveKit();
    await kit.configure({ callTimeoutMs: 300 });
    running = await kit.start();
    await cursorAt(kit.metastore.currentEventId);
    // The delayed answer would come after a minute: the table arrives long before, through a new call.
    kit.hms.fault({ method: 'get_next_notification', action: { kind: 'delay', ms: 60_000 } });
    const started = Date.now();
    const a = await kit.createIceberg('sales', 'a');
    await kit.waitForPolaris('sales.a', a, 40_000);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(await metricValue(running.metrics, 'sourceCalls', { source: 'hms', operation: 'get_next_notification', outcome: 'error' })).toBe(1);
  });

  it('a refused notification API is reported with the setting to change; capture resumes once allowed', async () => {
    kit = await startHiveKit();
    running = await kit.start();
    await cursorAt(kit.metastore.currentEventId);
    kit.hms.denyNotifications(true);
    const a = await kit.createIceberg('sales', 'a');
    const warning = await waitFor('a warning', () => kit.logs.find((l) => String(l.msg).includes('Internal error processing get_next_notification')));
    expect(warning.hint).toContain('hive.metastore.event.db.notification.api.auth=false');
    expect(kit.harness.polarisState().has('sales.a')).toBe(false);
    kit.hms.denyNotifications(false);
    await kit.waitForPolaris('sales.a', a);
  });
});
