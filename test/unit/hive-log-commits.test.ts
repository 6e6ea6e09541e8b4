// The log watcher's commits while the notification log is behind: full batches that follow each other
// go into one ledger commit (at most four), read one request at a time, and a run that is not full
// (caught up, or a hole) ends the commit. The metastore is the emulator's log, read in-process; the sink
// records what each commit carried.
import { describe, expect, it } from 'vitest';
import { EventClock } from '../../adapters/hive-log/event-clock.js';
import type { NotificationEvent } from '../../adapters/hive-log/catalog-records.js';
import type { NotificationLogReader } from '../../adapters/hive-log/log-reader.js';
import { LogWatcher } from '../../adapters/hive-log/log-watcher.js';
import type { Observation } from '../../src/model/observation.js';
import type { CommitOptions, ObservationSink } from '../../src/model/source-adapter.js';
import { TableFilter } from '../../src/normalizer/glob.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { Redactor } from '../../src/telemetry/redactor.js';
import { HiveMetastore } from '../emulators/hive/metastore.js';

interface Commit {
  readonly cursor: string | undefined;
  readonly observations: readonly Observation[];
}

/** A batch as the reader lent it: its messages cannot be read once it is released (as MessagePool's). */
interface Lent {
  readonly after: bigint;
  releases: number;
}

function reader(metastore: HiveMetastore, requests: bigint[], lent: Lent[] = []): NotificationLogReader {
  return {
    currentNotificationEventId: async () => metastore.currentEventId,
    nextNotifications: async (lastEvent, maxEvents) => {
      requests.push(lastEvent);
      const batch: Lent = { after: lastEvent, releases: 0 };
      lent.push(batch);
      const releaseMessage = () => void batch.releases++;
      return metastore.eventsAfter(lastEvent, maxEvents).map((e): NotificationEvent => {
        const { message, messageFormat } = e.render();
        const fields = { eventId: e.eventId, eventTime: e.eventTime, eventType: e.eventType, dbName: e.dbName, tableName: e.tableName, messageFormat, catName: e.catName };
        return {
          ...fields,
          get message() {
            if (batch.releases > 0) throw new Error(`event ${e.eventId}'s message read after its batch was released`);
            return message;
          },
          releaseMessage,
        };
      });
    },
    table: async () => undefined,
    isTableRefusal: () => false,
    close: () => undefined,
  };
}

/** Runs the watcher from cursor `from` until it has committed `until`, and returns its commits. */
async function watch(metastore: HiveMetastore, from: bigint, until: bigint, batchSize: number): Promise<{ commits: Commit[]; requests: bigint[]; lent: Lent[] }> {
  const commits: Commit[] = [];
  const requests: bigint[] = [];
  const lent: Lent[] = [];
  const controller = new AbortController();
  const sink: ObservationSink = {
    commit: async (observations: readonly Observation[], options?: CommitOptions) => {
      commits.push({ cursor: options?.cursor, observations: [...observations] });
      if (options?.cursor === until.toString()) controller.abort();
      return { accepted: observations.length, unchanged: 0, stale: 0, rejected: 0 };
    },
    cursor: async () => from.toString(),
    state: async () => new Map(),
    knownTables: async () => [],
    reconcile: async () => undefined,
  };
  const watcher = new LogWatcher({
    source: 'hms',
    client: reader(metastore, requests, lent),
    clock: new EventClock(),
    filter: new TableFilter([], []),
    batchSize,
    pollIntervalMs: 5,
    catalogName: undefined,
    logger: createLogger({ level: 'error', redactor: new Redactor(), readable: false, destination: { write: () => undefined } }),
    metrics: new Metrics(),
  });
  await watcher.run(sink, controller.signal);
  return { commits, requests, lent };
}

const location = (db: string, name: string, version: number) => `s3://warehouse/${db}/${name}/metadata/0000${version}.metadata.json`;

describe('hive log watcher: commits while the log is behind', () => {
  it('takes up to four full batches into one commit, asking for each batch once, in order', async () => {
    const metastore = new HiveMetastore();
    metastore.createDatabase('lake');
    const start = metastore.currentEventId;
    // 95 events after the cursor: batches of 10 → 9 full ones and a last of 5.
    for (let i = 0; i < 95; i++) metastore.createIcebergTable('lake', `t${i}`, { metadataLocation: location('lake', `t${i}`, 1) });
    const end = metastore.currentEventId;
    const { commits, requests } = await watch(metastore, start, end, 10);

    expect(commits.map((c) => c.observations.length)).toEqual([40, 40, 15]);
    expect(commits.map((c) => c.cursor)).toEqual([start + 40n, start + 80n, end].map(String));
    // Every event once, in id order: one observation per table created.
    expect(commits.flatMap((c) => c.observations.map((o) => o.table.name))).toEqual(Array.from({ length: 95 }, (_, i) => `t${i}`));
    // Each batch was asked for once (the run at the end may poll again once caught up).
    const asked = requests.filter((after) => after < end);
    expect(asked).toEqual(Array.from({ length: 10 }, (_, i) => start + BigInt(i * 10)));
  });

  it("gives each batch's messages back once they are read, and reads none after", async () => {
    const metastore = new HiveMetastore();
    metastore.createDatabase('lake');
    const start = metastore.currentEventId;
    for (let i = 0; i < 95; i++) metastore.createIcebergTable('lake', `t${i}`, { metadataLocation: location('lake', `t${i}`, i % 3) });
    const end = metastore.currentEventId;
    const { commits, lent } = await watch(metastore, start, end, 10);

    // A message read after its release would have thrown: every table is observed at its location.
    const observed = commits.flatMap((c) => c.observations);
    expect(observed.map((o) => (o.state === 'present' ? o.metadataLocation : o.state))).toEqual(Array.from({ length: 95 }, (_, i) => location('lake', `t${i}`, i % 3)));
    // Each batch applied was given back, once (a batch asked for after the end may still be waiting).
    const applied = lent.filter((batch) => batch.after < end);
    expect(applied).toHaveLength(10);
    expect(applied.map((batch) => batch.releases)).toEqual(Array.from({ length: 10 }, () => 1));
  });

  it('a batch that is not full ends the commit: a log that keeps up commits each batch as it comes', async () => {
    const metastore = new HiveMetastore();
    metastore.createDatabase('lake');
    const start = metastore.currentEventId;
    for (let i = 0; i < 7; i++) metastore.createIcebergTable('lake', `t${i}`, { metadataLocation: location('lake', `t${i}`, 1) });
    const { commits } = await watch(metastore, start, metastore.currentEventId, 10);
    expect(commits.map((c) => c.observations.length)).toEqual([7]);
  });

  it('a database dropped in a later batch of the commit drops the tables created in an earlier one', async () => {
    const metastore = new HiveMetastore();
    metastore.createDatabase('keep');
    const start = metastore.currentEventId;
    // Batch 1: tmp and its table; batches 2–3: other tables; batch 3 ends with DROP_DATABASE tmp.
    metastore.createDatabase('tmp');
    metastore.createIcebergTable('tmp', 'early', { metadataLocation: location('tmp', 'early', 1) });
    for (let i = 0; i < 27; i++) metastore.createIcebergTable('keep', `k${i}`, { metadataLocation: location('keep', `k${i}`, 1) });
    metastore.dropDatabase('tmp', { cascade: true, silentTables: true });
    const end = metastore.currentEventId;
    expect(end - start).toBe(30n);
    const { commits } = await watch(metastore, start, end, 10);

    expect(commits).toHaveLength(1);
    const early = commits[0]!.observations.filter((o) => o.table.namespace.join('.') === 'tmp' && o.table.name === 'early');
    expect(early.map((o) => o.state)).toEqual(['present', 'absent']);
    expect(early[1]!.order).toBeGreaterThan(early[0]!.order);
  });
});
