// What a source sends but must not be believed, through the real daemon: a source time from the far
// future (one event at year 9999 used to pin its table — every later change "stale", forever) and a
// metadata location outside the source's allowedLocations. Both are refused with the reason in the
// 400; and `reset-order` frees a table pinned before times were checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/ledger/sqlite/sqlite-store.js';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { CATALOG, runCli, startHarness, type Harness } from '../support/harness.js';
import { freePort, postEvents, startDaemon, waitFor, type Daemon } from '../support/ingest-client.js';

const INGEST_TOKEN = 'ingest-token-admission-51c0';
const YEAR_9999 = 253_402_300_799_000;

describe('webhook events the connector refuses, and reset-order', () => {
  let h: Harness;
  let daemon: Daemon;
  const post = (events: unknown[]) => postEvents(daemon.baseUrl, 'hooks', { events }, { token: INGEST_TOKEN });

  beforeAll(async () => {
    h = await startHarness();
    const port = await freePort();
    await h.writeConfig((config) => {
      config.server = { host: '127.0.0.1', port };
      config.sources = [{ name: 'hooks', type: 'webhook', token: '${INGEST_TOKEN}', target: { catalog: CATALOG }, allowedLocations: [dirUri(h.warehouse)] }];
    });
    daemon = await startDaemon(h.configFile, port, { INGEST_TOKEN }, 60_000);
  }, 120_000);
  afterAll(async () => {
    await daemon?.kill();
    await h?.close();
  }, 120_000);

  it('a source time far ahead of the clock is a 400 saying so; nothing is stored and later events work', async () => {
    const location = await h.writeTable(['sales'], 'orders');
    const refused = await post([{ namespace: ['sales'], table: 'orders', operation: 'update', metadataLocation: location, sourceTimestampMs: YEAR_9999 }]);
    expect(refused.status).toBe(400);
    expect(refused.json.details).toEqual([{ path: 'events[0]', message: expect.stringMatching(/^the source time 9999-12-31T23:59:59.000Z is \d+ hours ahead of the connector's clock/) }]);
    const dropRefused = await post([{ namespace: ['sales'], table: 'orders', operation: 'drop', sourceTimestampMs: YEAR_9999 }]);
    expect(dropRefused.status).toBe(400);

    const accepted = await post([{ namespace: ['sales'], table: 'orders', operation: 'update', metadataLocation: location, sourceTimestampMs: Date.now() }]);
    expect(accepted.status, accepted.text).toBe(202);
    expect(accepted.json).toMatchObject({ stored: 1, stale: 0 });
    await waitFor('sales.orders in Polaris', () => h.polarisState().get('sales.orders') === location, 60_000);
  }, 120_000);

  it('a metadata location outside allowedLocations is a 400 naming them', async () => {
    const inside = await h.writeTable(['sales'], 'items');
    for (const location of ['file:///etc/passwd', `${dirUri(h.warehouse)}2/sales/items/metadata/v1.metadata.json`, `${dirUri(h.warehouse)}/sales/../../x/v1.metadata.json`]) {
      const refused = await post([{ namespace: ['sales'], table: 'items', operation: 'create', metadataLocation: location }]);
      expect(refused.status, location).toBe(400);
      expect(refused.json.details[0].message).toMatch(/outside the source's allowedLocations|"\." or "\.\." segment/);
    }
    expect((await post([{ namespace: ['sales'], table: 'items', operation: 'create', metadataLocation: inside }])).status).toBe(202);
    await waitFor('sales.items in Polaris', () => h.polarisState().get('sales.items') === inside, 60_000);
  }, 120_000);

  it('reset-order frees a table pinned by an order from the future', async () => {
    const first = await h.writeTable(['sales'], 'pinned');
    expect((await post([{ namespace: ['sales'], table: 'pinned', operation: 'create', metadataLocation: first }])).status).toBe(202);
    await waitFor('sales.pinned in Polaris', () => h.polarisState().get('sales.pinned') === first, 60_000);
    // What a version without the time check stored from a year-9999 event (written past the normalizer).
    const ledger = SqliteStore.open(h.statePath);
    try {
      const row = ledger.rowsNamed('sales.pinned')[0]!;
      ledger.transaction(() => ledger.resetOrder(row.id, YEAR_9999));
    } finally {
      ledger.close();
    }
    const second = await h.writeTable(['sales'], 'pinned');
    const stale = await post([{ namespace: ['sales'], table: 'pinned', operation: 'update', metadataLocation: second }]);
    expect(stale.json).toMatchObject({ stored: 0, stale: 1 });

    const reset = await runCli(['reset-order', '--config', h.configFile, '--table', 'sales.pinned'], { INGEST_TOKEN });
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/^reset {3}hooks: sales\.pinned — order 9999-12-31T23:59:59\.000Z → \d{4}-/m);

    const after = await post([{ namespace: ['sales'], table: 'pinned', operation: 'update', metadataLocation: second }]);
    expect(after.json).toMatchObject({ stored: 1, stale: 0 });
    await waitFor('the new state of sales.pinned in Polaris', () => h.polarisState().get('sales.pinned') === second, 60_000);
  }, 120_000);

  it('reset-order of an unknown table exits 1; without --table it is a usage error (2)', async () => {
    const unknown = await runCli(['reset-order', '--config', h.configFile, '--table', 'no.such'], { INGEST_TOKEN });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/no table named "no.such"/);
    expect((await runCli(['reset-order', '--config', h.configFile], { INGEST_TOKEN })).code).toBe(2);
  }, 120_000);
});
