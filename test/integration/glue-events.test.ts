// The Glue source's change capture: EventBridge events in SQS → GetTable per named table → ledger →
// Polaris, with the real SDK clients against the Glue + SQS emulator. Events are triggers to read, so
// lost, duplicated and reordered events still end in the source's current state. The life cycle runs
// with the metadata in S3 and on a shared file system.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Mirror } from '../../src/engine/mirror.js';
import type { Observation } from '../../src/model/observation.js';
import type { ObservationSink } from '../../src/model/source-adapter.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { Redactor } from '../../src/telemetry/redactor.js';
import { glueEvents } from '../emulators/glue/eventbridge.js';
import { STORAGES, type HarnessStorage } from '../support/harness.js';
import { CATALOG, counter, DLQ, QUEUE, SOURCE, startGlueHarness, waitFor, watchInProcess, type GlueHarness } from './glue-harness.js';

let h: GlueHarness;
let mirror: Mirror | undefined;
let watching: ReturnType<typeof watchInProcess> | undefined;

let storage: HarnessStorage = 's3';
beforeEach(async () => {
  h = await startGlueHarness({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2, storage });
});
afterEach(async () => {
  await watching?.stop();
  await mirror?.close();
  watching = undefined;
  mirror = undefined;
  await h.close();
});

/** Mirrors the lake with a sync, then starts the watch in-process. */
async function startWatching(): Promise<Mirror> {
  await h.sync();
  h.glue.resetCalls();
  mirror = h.openMirror();
  watching = watchInProcess(mirror);
  return mirror;
}

const queueEmpty = () => h.glue.sqs.messages(QUEUE).length === 0;
const history = (db: string, table: string) => h.polaris.history(CATALOG, [db], table).filter((e) => e.status === 204 && e.type !== 'VALIDATE');

describe.each(STORAGES)('events, metadata on %s storage', (kind) => {
  beforeAll(() => {
    storage = kind;
  });
  afterAll(() => {
    storage = 's3';
  });

  it('an UpdateTable event reads that table with GetTable and sends the new state; the message is deleted', async () => {
    for (const t of ['orders', 'returns']) h.lake.commit('sales', t);
    const m = await startWatching();
    const newer = h.lake.commit('sales', 'orders');
    h.glue.sqs.send(QUEUE, glueEvents.updateTable('sales', 'orders'));

    await waitFor(() => h.polarisState().get('sales.orders') === newer && queueEmpty(), 60_000, 'the update to reach Polaris');

    expect(h.glue.calls()).toMatchObject({ 'GetTable:ok': 1, 'DeleteMessage:ok': 1 });
    expect(h.glue.calls()['GetTables:ok']).toBeUndefined();
    expect(await counter(m.deps.metrics, 'polaris_mirror_source_events_total', { source: SOURCE, outcome: 'applied' })).toBe(1);
  });

  it('CreateTable, DeleteTable and BatchDeleteTable events create and drop tables', async () => {
    for (const t of ['a', 'b', 'c', 'd']) h.lake.commit('db', t);
    await startWatching();
    const created = h.lake.commit('db', 'new');
    h.lake.drop('db', 'a');
    h.lake.drop('db', 'b');
    h.lake.drop('db', 'c');
    h.glue.sqs.send(QUEUE, glueEvents.createTable('db', 'new'));
    h.glue.sqs.send(QUEUE, glueEvents.deleteTable('db', 'a'));
    h.glue.sqs.send(QUEUE, glueEvents.batchDeleteTable('db', ['b', 'c']));

    const keys = () => [...h.polarisState().keys()].sort().join();
    await waitFor(() => keys() === 'db.d,db.new' && queueEmpty(), 60_000, 'creates and drops');

    expect(h.polarisState().get('db.new')).toBe(created);
    expect(history('db', 'b').map((e) => e.type)).toEqual(['CREATE', 'DROP']);
  });

  it('a DeleteTable event of a purged table (its metadata files deleted too) drops it in Polaris', async () => {
    for (const t of ['a', 'b', 'c']) h.lake.commit('db', t);
    await startWatching();
    h.lake.drop('db', 'a', { purge: true });
    h.glue.sqs.send(QUEUE, glueEvents.deleteTable('db', 'a'));

    await waitFor(() => queueEmpty() && !h.polarisState().has('db.a'), 60_000, 'the purged table to be dropped');

    expect(history('db', 'a').map((e) => e.type)).toEqual(['CREATE', 'DROP']);
  });

  it('reordered events end in the current state: drop + re-create with the CreateTable event first', async () => {
    for (const t of ['a', 'b']) h.lake.commit('db', t);
    await startWatching();
    h.lake.drop('db', 'a');
    const recreated = h.lake.commit('db', 'a');
    h.glue.sqs.send(QUEUE, glueEvents.createTable('db', 'a'));
    h.glue.sqs.send(QUEUE, glueEvents.deleteTable('db', 'a'));

    await waitFor(() => queueEmpty() && h.polarisState().get('db.a') === recreated, 60_000, 'the re-created table');

    expect(history('db', 'a').map((e) => e.type)).not.toContain('DROP');
  });

  it('a lost event is repaired by the next scan', async () => {
    for (const t of ['a', 'b']) h.lake.commit('db', t);
    await startWatching();
    const newer = h.lake.commit('db', 'a'); // no event arrives
    const later = h.lake.commit('db', 'b');
    h.glue.sqs.send(QUEUE, glueEvents.updateTable('db', 'b'));
    await waitFor(() => h.polarisState().get('db.b') === later, 60_000, 'the event that did arrive');
    expect(h.polarisState().get('db.a')).not.toBe(newer);

    await mirror!.reconciler.pass({ adapter: mirror!.sources.get(SOURCE)!.adapter, sink: mirror!.sources.get(SOURCE)!.sink, maxDropFraction: 0.25 });

    await waitFor(() => h.polarisState().get('db.a') === newer, 60_000, 'the scan to repair the lost update');
  });

  it('renames come out right with the events in either order', async () => {
    for (const t of ['x', 'y', 'keep']) h.lake.commit('db', t);
    await startWatching();
    h.lake.rename('db', 'x', 'x2');
    h.glue.sqs.send(QUEUE, glueEvents.createTable('db', 'x2'));
    h.glue.sqs.send(QUEUE, glueEvents.deleteTable('db', 'x'));
    h.lake.rename('db', 'y', 'y2');
    h.glue.sqs.send(QUEUE, glueEvents.deleteTable('db', 'y'));
    h.glue.sqs.send(QUEUE, glueEvents.createTable('db', 'y2'));

    await waitFor(() => queueEmpty() && [...h.polarisState().keys()].sort().join() === 'db.keep,db.x2,db.y2', 60_000, 'both renames');

    for (const [from, to] of [['x', 'x2'], ['y', 'y2']] as const) {
      const created = history('db', to).find((e) => e.type === 'CREATE')!;
      const dropped = history('db', from).find((e) => e.type === 'DROP')!;
      // Same table UUID: the engine holds the DROP until the new name exists.
      expect(created.at).toBeLessThanOrEqual(dropped.at);
    }
  });

  it('DeleteDatabase confirms every mirrored table of it gone with one GetDatabase', async () => {
    for (const t of ['t1', 't2', 't3']) h.lake.commit('gone', t);
    h.lake.commit('stays', 't1');
    await startWatching();
    h.glue.catalog.deleteDatabase('gone');
    h.glue.sqs.send(QUEUE, glueEvents.deleteDatabase('gone'));

    await waitFor(() => queueEmpty() && [...h.polarisState().keys()].join() === 'stays.t1', 60_000, 'the database drop');

    expect(h.glue.calls()['GetDatabase:EntityNotFoundException']).toBe(1);
    expect(h.glue.calls()['GetTable:ok'] ?? 0).toBe(0);
  });

  it('DeleteDatabase of a database re-created meanwhile drops only the tables that are really gone', async () => {
    for (const t of ['t1', 't2']) h.lake.commit('db', t);
    await startWatching();
    h.glue.catalog.deleteDatabase('db');
    const back = h.lake.commit('db', 't1');
    h.glue.sqs.send(QUEUE, glueEvents.deleteDatabase('db'));

    await waitFor(() => queueEmpty() && [...h.polarisState().keys()].join() === 'db.t1' && h.polarisState().get('db.t1') === back, 60_000, 'the drop of t2');
    expect(history('db', 't1').map((e) => e.type)).toEqual(['CREATE', 'UPDATE']);

  });

  it('partition events, new databases and filtered tables cost no GetTable; the messages are deleted', async () => {
    await h.writeConfig((source) => (source.include = ['sales.*']));
    h.lake.commit('sales', 'orders');
    const m = await startWatching();
    h.lake.commit('hr', 'people');
    h.glue.sqs.send(QUEUE, glueEvents.createPartition('sales', 'orders'));
    h.glue.sqs.send(QUEUE, glueEvents.createDatabase('hr'));
    h.glue.sqs.send(QUEUE, glueEvents.createTable('hr', 'people'));

    await waitFor(queueEmpty, 60_000, 'the messages to be deleted');

    expect(h.glue.calls()['GetTable:ok'] ?? 0).toBe(0);
    expect(await counter(m.deps.metrics, 'polaris_mirror_source_events_total', { source: SOURCE, outcome: 'ignored' })).toBe(3);
    expect([...h.polarisState().keys()]).toEqual(['sales.orders']);
  });

  it('an event wrapped by SNS is understood', async () => {
    h.lake.commit('db', 'a');
    await startWatching();
    const newer = h.lake.commit('db', 'a');
    h.glue.sqs.send(QUEUE, JSON.stringify({ Type: 'Notification', MessageId: 'm-1', Message: JSON.stringify(glueEvents.updateTable('db', 'a')) }));

    await waitFor(() => h.polarisState().get('db.a') === newer && queueEmpty(), 60_000, 'the SNS-wrapped update');
  });
});

describe('failures', () => {
  it('unparseable messages are counted and left to the redrive policy (they end in the dead-letter queue)', async () => {
    const m = await startWatching();
    h.glue.sqs.send(QUEUE, 'not json at all');
    h.glue.sqs.send(QUEUE, JSON.stringify({ ...glueEvents.createTable('db', 'a'), source: 'aws.s3', 'detail-type': 'Object Created' }));
    h.glue.sqs.send(QUEUE, JSON.stringify({ ...glueEvents.createTable('db', 'a'), detail: { typeOfChange: 'CreateTable' } }));

    // maxReceiveCount 2, visibility 1 s: received twice, then moved to the DLQ on the third receive.
    await waitFor(() => h.glue.sqs.messages(DLQ).length === 3, 60_000, 'the messages to reach the DLQ');

    expect(h.glue.calls()['DeleteMessage:ok'] ?? 0).toBe(0);
    expect(await counter(m.deps.metrics, 'polaris_mirror_source_events_total', { source: SOURCE, outcome: 'unparseable' })).toBe(6);
    expect(h.glue.sqs.messages(DLQ).map((msg) => msg.body)).toContain('not json at all');
  });

  it('AccessDenied on an event never drops: the message stays (delayed) and the table stays in Polaris', async () => {
    for (const t of ['a', 'b']) h.lake.commit('db', t);
    const m = await startWatching();
    h.glue.faults.set({ accessDenied: ['db.a'] });
    h.glue.sqs.send(QUEUE, glueEvents.deleteTable('db', 'a'));

    await waitFor(() => (h.glue.calls()['ChangeMessageVisibility:ok'] ?? 0) === 1, 60_000, 'the message to be delayed');

    expect(h.glue.calls()['GetTable:AccessDeniedException']).toBe(1);
    expect(h.glue.calls()['DeleteMessage:ok'] ?? 0).toBe(0);
    expect(h.glue.sqs.messages(QUEUE)).toMatchObject([{ visible: false, receiveCount: 1 }]);
    expect(h.polarisState().has('db.a')).toBe(true);
    expect(await counter(m.deps.metrics, 'polaris_mirror_source_events_total', { source: SOURCE, outcome: 'failed' })).toBe(1);
  });

  it('never logs a receipt handle, even from an SQS error that quotes it', async () => {
    for (const t of ['a', 'b']) h.lake.commit('db', t);
    await h.sync();
    const lines: string[] = [];
    const redactor = new Redactor();
    mirror = h.openMirror(new Metrics(), createLogger({ level: 'debug', redactor, destination: { write: (line: string) => lines.push(line) } }));
    watching = watchInProcess(mirror);
    // The queue is purged while the (slow, then refused) read runs, so delaying the message fails: SQS
    // answers "Value <handle> for parameter ReceiptHandle is invalid".
    h.glue.faults.set({ accessDenied: ['db.a'], latencyMs: 1_300 });
    h.glue.sqs.send(QUEUE, glueEvents.deleteTable('db', 'a'));
    await waitFor(() => h.glue.sqs.messages(QUEUE).some((m) => !m.visible), 60_000, 'the message in flight');
    h.glue.sqs.purge(QUEUE);

    await waitFor(() => (h.glue.calls()['ChangeMessageVisibility:MessageNotInflight'] ?? 0) >= 1, 60_000, 'the failed ChangeMessageVisibility');
    await waitFor(() => lines.some((l) => l.includes('could not delay an SQS message')), 60_000, 'the warning');

    const log = lines.join('');
    expect(log).toContain('for parameter ReceiptHandle is invalid');
    expect(log).toContain('[REDACTED]');
    expect(log).not.toMatch(/[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{32}/);
    expect(log).toMatch(/"hint":"the connector lacks permission/);
  });

  it('a message is deleted only after its observations are committed', async () => {
    h.lake.commit('db', 'a');
    await h.sync();
    mirror = h.openMirror();
    const source = mirror.sources.get(SOURCE)!;
    const newer = h.lake.commit('db', 'a');
    h.glue.sqs.send(QUEUE, glueEvents.updateTable('db', 'a'));

    // A ledger that cannot commit: the watch stops, nothing is deleted.
    const failing: ObservationSink = {
      commit: async (_observations: readonly Observation[]) => {
        throw new Error('disk full');
      },
      cursor: () => source.sink.cursor(),
      state: () => source.sink.state(),
      knownTables: (prefix) => source.sink.knownTables(prefix),
      reconcile: (signal) => source.sink.reconcile(signal),
    };
    await expect(source.adapter.watch!(failing, new AbortController().signal)).rejects.toThrow('disk full');
    expect(h.glue.calls()['DeleteMessage:ok'] ?? 0).toBe(0);
    expect(h.glue.sqs.messages(QUEUE)).toHaveLength(1);

    // Redelivered after the visibility timeout, committed, then deleted.
    watching = watchInProcess(mirror);
    await waitFor(() => queueEmpty() && h.polarisState().get('db.a') === newer, 60_000, 'the redelivered message');
    expect(h.glue.calls()['DeleteMessage:ok']).toBe(1);
  });

  it('a stop between the commit and the delete leaves the message in the queue: it is delivered again, harmlessly', async () => {
    h.lake.commit('db', 'a');
    await startWatching();
    h.glue.sqs.holdDeletes(true);
    const newer = h.lake.commit('db', 'a');
    h.glue.sqs.send(QUEUE, glueEvents.updateTable('db', 'a'));
    await waitFor(() => h.glue.sqs.heldDeletes() === 1, 60_000, 'the delete to be sent');
    // Committed before the delete was sent:
    expect((await mirror!.ledger.rowsOfSource(SOURCE)).find((r) => r.table.name === 'a')!.desired.metadataLocation).toBe(newer);

    await watching!.stop();
    await mirror!.close(); // destroys the SDK clients: the held DeleteMessage never completes
    watching = undefined;
    mirror = undefined;
    h.glue.sqs.holdDeletes(false);
    expect(h.glue.sqs.messages(QUEUE)).toHaveLength(1);

    mirror = h.openMirror();
    watching = watchInProcess(mirror);
    await waitFor(() => queueEmpty() && h.polarisState().get('db.a') === newer, 60_000, 'the redelivered message to be deleted');
    expect(h.glue.sqs.messages(DLQ)).toHaveLength(0);
  });
});

