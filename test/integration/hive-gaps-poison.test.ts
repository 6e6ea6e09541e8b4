// Gaps in the notification log (events expired before they were read, a log that went back) and poison
// messages (bad JSON, bad gzip, bad Base64, unknown formats): a warning, a metric, an automatic full
// listing for gaps; for poison, a log line with the event id and the reason, the table read instead,
// and a cursor that keeps moving.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/ingest-client.js';
import { metricValue, startHiveKit, type HiveKit, type RunningMirror } from '../emulators/hive/test-kit.js';

let kit: HiveKit;
let running: RunningMirror | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await kit?.close();
});

const cursorAt = (id: bigint) => waitFor(`the cursor at ${id}`, async () => (await running!.mirror.ledger.cursor('hms')) === String(id));
const warnings = (pattern: RegExp) => kit.logs.filter((l) => l.level >= 40 && pattern.test(l.msg));

describe('gaps in the notification log', () => {
  it('events expired while the connector was down: a warning, a metric, then a full listing that catches up', async () => {
    kit = await startHiveKit();
    const a = await kit.createIceberg('sales', 'a');
    // Five tables: dropping one stays within the mass-drop brake (maxDropFraction 0.25).
    for (const name of ['b', 'c', 'd', 'e']) await kit.createIceberg('sales', name);
    running = await kit.start();
    await cursorAt(kit.metastore.currentEventId);
    await waitFor('five tables in Polaris', () => kit.harness.polarisState().size === 5);
    await running.stop();

    // While down: changes whose events the TTL cleaner removes before anyone reads them.
    const a2 = await kit.commit('sales', 'a');
    kit.metastore.dropTable('sales', 'b');
    const x = await kit.createIceberg('sales', 'x');
    kit.metastore.expireThrough(kit.metastore.currentEventId);
    const y = await kit.createIceberg('sales', 'y'); // after the gap: read from the log

    running = await kit.start();
    await kit.waitForPolaris('sales.a', a2);
    await kit.waitForPolaris('sales.b', undefined);
    await kit.waitForPolaris('sales.x', x);
    await kit.waitForPolaris('sales.y', y);
    expect(a2).not.toBe(a);
    expect(await metricValue(running.metrics, 'sourceGaps', { source: 'hms' })).toBe(1);
    expect(warnings(/gap in the notification log of hms: events \d+…\d+ expired before they were read/)).toHaveLength(1);
    await cursorAt(kit.metastore.currentEventId);

    // b was dropped by the full pass (at the pass's time); re-created later, the log's event must win.
    const b2 = await kit.createIceberg('sales', 'b');
    await kit.waitForPolaris('sales.b', b2);
  });

  it('every event after the cursor expired and nothing newer came: found by comparing with the current event id', async () => {
    kit = await startHiveKit();
    running = await kit.start();
    await cursorAt(kit.metastore.currentEventId);
    await running.stop();
    const x = await kit.createIceberg('sales', 'x');
    kit.metastore.expireThrough(kit.metastore.currentEventId);
    running = await kit.start();
    await kit.waitForPolaris('sales.x', x);
    expect(await metricValue(running.metrics, 'sourceGaps', { source: 'hms' })).toBe(1);
  });

  it('a log that went back (the metastore database restored): a full listing, then the log from its current id', async () => {
    kit = await startHiveKit();
    const a = await kit.createIceberg('sales', 'a');
    running = await kit.start();
    await kit.waitForPolaris('sales.a', a);
    await running.mirror.sources.get('hms')!.sink.commit([], { cursor: '1000000' });
    await running.stop();
    running = await kit.start();
    await cursorAt(kit.metastore.currentEventId);
    expect(warnings(/notification log went back \(current event id \d+ < cursor 1000000\)/)).toHaveLength(1);
    const b = await kit.createIceberg('sales', 'b');
    await kit.waitForPolaris('sales.b', b);
  });
});

describe('poison messages', () => {
  it('bad gzip, bad JSON, bad Base64 and an unknown format are logged with the event id and skipped; the tables are read instead', async () => {
    kit = await startHiveKit({ metastore: { version: '4' } });
    const gone = await kit.createIceberg('sales', 'gone');
    running = await kit.start();
    await kit.waitForPolaris('sales.gone', gone);

    kit.metastore.poisonNext('bad-gzip', 'bad-json', 'bad-base64');
    const created = await kit.createIceberg('sales', 'created'); // CREATE_TABLE, bad gzip
    const createdId = kit.metastore.currentEventId;
    const gone2 = await kit.commit('sales', 'gone'); // ALTER_TABLE, bad JSON
    kit.metastore.dropTable('sales', 'gone'); // DROP_TABLE, bad Base64
    kit.metastore.appendRawEvent({ eventType: 'ALTER_TABLE', dbName: 'sales', tableName: 'nowhere', message: 'PAR1…', messageFormat: 'parquet' });
    const after = await kit.createIceberg('sales', 'after'); // a good event behind the poison

    await kit.waitForPolaris('sales.after', after);
    await kit.waitForPolaris('sales.created', created);
    await kit.waitForPolaris('sales.gone', undefined);
    await cursorAt(kit.metastore.currentEventId);
    expect(gone2).not.toBe(gone);
    expect(await metricValue(running.metrics, 'sourceEvents', { source: 'hms', outcome: 'unparseable' })).toBe(4);
    const lines = warnings(/cannot be read/);
    expect(lines.map((l) => [l.eventId, l.reason])).toEqual([
      [String(createdId), expect.stringContaining('not valid gzip')],
      [String(createdId + 1n), expect.stringContaining('not valid JSON')],
      [String(createdId + 2n), expect.stringContaining('not valid Base64')],
      [String(createdId + 3n), expect.stringContaining('unknown messageFormat "parquet"')],
    ]);
    expect(lines[0]!.msg).toContain('the table is read from the metastore instead');
  });

  it('a table the metastore refuses to read (MetaException) is skipped, not a stalled log', async () => {
    kit = await startHiveKit({ metastore: { excludeParameters: /^metadata_location$/ } });
    running = await kit.start();
    await cursorAt(kit.metastore.currentEventId);
    kit.hms.fault({ method: 'get_table_req', action: { kind: 'meta-error', message: 'User polaris does not have privileges for SELECT' } });
    await kit.createIceberg('sales', 'secret');
    const open = await kit.createIceberg('sales', 'open');
    await kit.waitForPolaris('sales.open', open);
    await cursorAt(kit.metastore.currentEventId);
    expect(kit.harness.polarisState().has('sales.secret')).toBe(false);
    expect(warnings(/could not read sales.secret from hms: MetaException: User polaris does not have privileges/)).toHaveLength(1);
  });
});
