// The shared notification-log rules over HiveServer2: a gap (events expired before they were read) is
// found, counted and healed by a full listing; poison messages are logged with their event id and
// the tables they name are read instead, while the cursor keeps moving.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/ingest-client.js';
import { metricValue, type RunningMirror } from '../emulators/hive/test-kit.js';
import { startHs2Kit, type Hs2Kit } from '../emulators/hiveserver2/test-kit.js';

let kit: Hs2Kit | undefined;
let running: RunningMirror | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await kit?.close();
  kit = undefined;
});

const cursorAt = (id: bigint) => waitFor(`the cursor at ${id}`, async () => (await running!.mirror.ledger.cursor('hs2')) === String(id));
const warnings = (pattern: RegExp) => kit!.logs.filter((l) => l.level >= 40 && pattern.test(l.msg));

describe('hiveserver2: gaps and poison events', () => {
  it('events expired while the connector was down: a warning, a metric, a full listing that catches up', async () => {
    kit = await startHs2Kit();
    const a = await kit.createIceberg('sales', 'a');
    for (const name of ['b', 'c', 'd', 'e']) await kit.createIceberg('sales', name);
    running = await kit.start();
    await cursorAt(kit.metastore.currentEventId);
    await running.stop();

    const a2 = await kit.commit('sales', 'a');
    kit.metastore.dropTable('sales', 'b');
    const x = await kit.createIceberg('sales', 'x');
    kit.metastore.expireThrough(kit.metastore.currentEventId);
    const y = await kit.createIceberg('sales', 'y');

    running = await kit.start();
    await kit.waitForPolaris('sales.a', a2);
    await kit.waitForPolaris('sales.b', undefined);
    await kit.waitForPolaris('sales.x', x);
    await kit.waitForPolaris('sales.y', y);
    expect(a2).not.toBe(a);
    expect(await metricValue(running.metrics, 'sourceGaps', { source: 'hs2' })).toBe(1);
    expect(warnings(/gap in the notification log of hs2: events \d+…\d+ expired before they were read/)).toHaveLength(1);
    await cursorAt(kit.metastore.currentEventId);
  });

  it('an idle log whose events all expired is not a gap (the head is the newest id known)', async () => {
    kit = await startHs2Kit();
    await kit.createIceberg('sales', 'a');
    running = await kit.start();
    await cursorAt(kit.metastore.currentEventId);
    kit.metastore.expireThrough(kit.metastore.currentEventId);
    const b = await kit.createIceberg('sales', 'b');
    await kit.waitForPolaris('sales.b', b);
    await cursorAt(kit.metastore.currentEventId);
    expect(await metricValue(running.metrics, 'sourceGaps', { source: 'hs2' })).toBe(0);
  });

  it('bad gzip, bad JSON and bad Base64 are logged with the event id and skipped; the tables are read instead', async () => {
    kit = await startHs2Kit({ metastore: { version: '4' } });
    kit.metastore.createDatabase('sales');
    running = await kit.start();
    await cursorAt(kit.metastore.currentEventId);
    kit.metastore.poisonNext('bad-gzip', 'bad-json', 'bad-base64');
    const p = await kit.createIceberg('sales', 'p');
    const q = await kit.createIceberg('sales', 'q');
    const r = await kit.createIceberg('sales', 'r');
    await kit.waitForPolaris('sales.p', p);
    await kit.waitForPolaris('sales.q', q);
    await kit.waitForPolaris('sales.r', r);
    await cursorAt(kit.metastore.currentEventId);
    const poison = warnings(/^event \d+ \(CREATE_TABLE sales\.[pqr]\) of hs2 cannot be read: .*the table is read from the metastore instead/);
    expect(poison.map((l) => l.reason)).toEqual([expect.stringMatching(/not valid gzip/), expect.stringMatching(/not valid JSON/), expect.stringMatching(/not valid Base64/)]);
    expect(await metricValue(running.metrics, 'sourceEvents', { source: 'hs2', outcome: 'unparseable' })).toBe(3);
  });
});
