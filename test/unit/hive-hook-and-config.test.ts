// The Hive hook endpoint's parsing (hook-only: trusted, ordered by event id then event time; with uris:
// triggers) and the `type: hive` config contract.
import { describe, expect, it } from 'vitest';
import { hiveSourceSchema } from '../../adapters/hive/config.js';
import { EventClock } from '../../adapters/hive-log/event-clock.js';
import { HiveHookEndpoint, type HookLog } from '../../adapters/hive/hook-endpoint.js';
import { MAX_EVENT_ID_LEAD } from '../../adapters/hive-log/event-clock.js';
import { configSchema } from '../../src/config/schema.js';
import type { ObservationSink } from '../../src/model/source-adapter.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { HiveMetastore } from '../emulators/hive/metastore.js';

const LOC1 = 'file:///lake/sales/orders/metadata/00001-a.metadata.json';
const RECEIVED = 1_732_600_000_000;

/** Hook bodies as a listener would forward them: the metastore's own event rows. */
function recorded(ddl: (m: HiveMetastore) => void): Array<Record<string, unknown>> {
  const metastore = new HiveMetastore({ now: () => 1_732_500_000_000, messageFormat: 'gzip(json-2.0)' });
  metastore.createDatabase('sales');
  const from = metastore.currentEventId;
  ddl(metastore);
  return metastore.eventsAfter(from, 0).map((e) => ({ eventId: Number(e.eventId), eventTime: e.eventTime, eventType: e.eventType, dbName: e.dbName, tableName: e.tableName, ...e.render() }));
}

const fakeSink = (tables: Array<{ namespace: string[]; name: string }>) => ({ knownTables: (prefix?: readonly string[]) => tables.filter((t) => !prefix || t.namespace[0] === prefix[0]) }) as unknown as ObservationSink;

function endpoint(log?: HookLog, sink?: ObservationSink) {
  return new HiveHookEndpoint({ source: 'hms', token: 't0ken', catalogName: undefined, metrics: new Metrics(), log, sink: () => sink });
}

describe('hook endpoint, hook-only (trusted)', () => {
  const [create, commit, drop] = recorded((m) => {
    m.createIcebergTable('sales', 'orders', { metadataLocation: LOC1, uuid: 'u-1' });
    m.commitIceberg('sales', 'orders', LOC1.replace('00001-a', '00002-b'));
    m.dropTable('sales', 'orders');
  }) as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];

  it('one event object → one observation, ordered by its event id, timed by its event time', async () => {
    const result = await endpoint().parse(create, RECEIVED);
    expect(result).toMatchObject({ accepted: 1, problems: [] });
    expect(result.items).toEqual([
      {
        path: 'tableName',
        observation: { table: { namespace: ['sales'], name: 'orders' }, state: 'present', metadataLocation: LOC1, tableUuid: 'u-1', order: create.eventId, sourceTimeMs: 1_732_500_000_000 },
      },
    ]);
  });

  it('a drop is trusted (confirmed); an array is a batch with indexed paths', async () => {
    const result = await endpoint().parse([commit, drop], RECEIVED);
    expect(result.items.map((i) => [i.path, i.observation.state, i.observation.order, 'confirmed' in i.observation ? i.observation.confirmed : undefined])).toEqual([
      ['[0].tableName', 'present', commit.eventId, undefined],
      ['[1].tableName', 'absent', drop.eventId, true],
    ]);
  });

  it('without an event id: ordered by event time, else by the time received', async () => {
    const { eventId: _, ...noId } = commit;
    expect((await endpoint().parse(noId, RECEIVED)).items[0]!.observation.order).toBe(1_732_500_000_000);
    const { eventTime: __, ...noTime } = noId;
    expect((await endpoint().parse(noTime, RECEIVED)).items[0]!.observation).toMatchObject({ order: RECEIVED, sourceTimeMs: RECEIVED });
  });

  it('event ids beyond 2^53 come as strings', async () => {
    expect((await endpoint().parse({ ...commit, eventId: '9007199254740993' }, RECEIVED)).problems).toEqual([]);
    expect((await endpoint().parse({ ...commit, eventId: 9007199254740993 }, RECEIVED)).problems).toEqual([{ path: 'eventId', message: 'eventId must be a non-negative integer; above 2^53 send it as a string of digits' }]);
  });

  it('DROP_DATABASE drops the tables the mirror holds in that database', async () => {
    const [, dropDb] = recorded((m) => {
      m.createDatabase('tmp');
      m.dropDatabase('tmp');
    });
    const sink = fakeSink([{ namespace: ['tmp'], name: 'a' }, { namespace: ['tmp'], name: 'b' }]);
    const result = await endpoint(undefined, sink).parse(dropDb, RECEIVED);
    expect(result.items.map((i) => [i.observation.table.name, i.observation.state])).toEqual([['a', 'absent'], ['b', 'absent']]);
  });

  it('events on other objects and non-Iceberg tables are accepted and produce nothing', async () => {
    const legacy = recorded((m) => m.createTable('sales', 'legacy'));
    const result = await endpoint().parse([...legacy, { eventType: 'ADD_PARTITION', dbName: 'sales', tableName: 'x', message: '{}', messageFormat: 'json-0.2' }], RECEIVED);
    expect(result).toMatchObject({ accepted: 2, items: [], problems: [] });
  });

  it('problems name the field: missing fields, poison messages, a message a hook-only source cannot complete', async () => {
    const stripped = recorded((m) => {
      m.excludeParameters = /metadata_location/;
      m.createIcebergTable('sales', 'orders', { metadataLocation: LOC1 });
    });
    const result = await endpoint().parse([{ dbName: 'sales' }, { ...commit, message: 'H4sI%%%' }, stripped[0]], RECEIVED);
    expect(result.problems).toEqual([
      { path: '[0].eventType', message: expect.any(String) },
      { path: '[0].message', message: 'message is required (the notification message, as recorded)' },
      { path: '[1].message', message: 'the message cannot be read: the message is not valid Base64' },
      { path: '[2].message', message: expect.stringContaining('hook-only source cannot read the table') },
    ]);
  });

  it('a body that is neither an event nor an array of events', async () => {
    for (const body of [[], 'text', 42, null]) expect((await endpoint().parse(body, RECEIVED)).message, JSON.stringify(body)).toMatch(/must be a notification event/);
  });
});

describe('hook endpoint with uris (triggers)', () => {
  const [create, commit, drop] = recorded((m) => {
    m.createIcebergTable('sales', 'orders', { metadataLocation: LOC1 });
    m.commitIceberg('sales', 'orders', LOC1.replace('00001-a', '00002-b'));
    m.dropTable('sales', 'orders');
  }) as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];

  function log(committed: bigint | undefined, head: bigint | null | undefined = committed) {
    const clock = new EventClock();
    const wakes: number[] = [];
    return { log: { clock, committed: () => committed, head: () => head ?? undefined, wake: () => wakes.push(1) } satisfies HookLog, wakes, clock };
  }

  it('wakes the log; events the log already applied produce nothing', async () => {
    const { log: l, wakes } = log(BigInt(commit.eventId as number));
    expect((await endpoint(l).parse([create, commit], RECEIVED)).items).toEqual([]);
    expect(wakes).toHaveLength(1);
  });

  it('newer events are observed, ordered among the log events by id; their drops wait for a re-read', async () => {
    const { log: l, clock } = log(BigInt(create.eventId as number));
    const items = (await endpoint(l).parse([commit, drop], RECEIVED)).items;
    expect(items.map((i) => [i.observation.state, 'confirmed' in i.observation ? i.observation.confirmed : undefined])).toEqual([
      ['present', undefined],
      ['absent', false],
    ]);
    // The log's copy of an earlier event, fetched later, still orders below the hook's newer one.
    expect(clock.orderOfEvent(BigInt(create.eventId as number))).toBeLessThan(items[0]!.observation.order);
    expect(items[1]!.observation.order).toBeGreaterThanOrEqual(items[0]!.observation.order);
  });

  it('an id the log cannot vouch for — before the log was read, or far beyond its head — is only a trigger', async () => {
    const last = BigInt(create.eventId as number);
    for (const [head, eventId] of [
      [null, commit.eventId],
      [last, '9223372036854775807'],
      [last, String(last + MAX_EVENT_ID_LEAD + 1n)],
    ] as const) {
      const { log: l, wakes, clock } = log(last, head);
      expect(await endpoint(l).parse({ ...commit, eventId }, RECEIVED), String(eventId)).toMatchObject({ accepted: 1, items: [], problems: [] });
      expect(wakes).toHaveLength(1);
      expect(JSON.parse(clock.stateAt(0n)['clock.anchors']!)).toEqual([]);
    }
    // Within the lead of the head, it is placed.
    const { log: l } = log(last, last);
    expect((await endpoint(l).parse({ ...commit, eventId: String(last + MAX_EVENT_ID_LEAD) }, RECEIVED)).items).toHaveLength(1);
  });

  it('without an event id an event is only a trigger', async () => {
    const { log: l, wakes } = log(undefined);
    const { eventId: _, ...noId } = commit;
    expect(await endpoint(l).parse(noId, RECEIVED)).toMatchObject({ accepted: 1, items: [], problems: [] });
    expect(wakes).toHaveLength(1);
  });
});

describe('type: hive config', () => {
  const polaris = { uri: 'http://127.0.0.1:8181/api/catalog', auth: { token: 'tok' } };
  const parse = (source: Record<string, unknown>) => configSchema.safeParse({ polaris, sources: [{ name: 'hms', type: 'hive', target: { catalog: 'hive_mirror' }, ...source }] });

  it('the documented example parses, with defaults', () => {
    const result = hiveSourceSchema.parse({ type: 'hive', name: 'hms', uris: ['thrift://hms-1:9083', 'thrift://hms-2:9083'], include: ['analytics.*'], ingestToken: 'secret-token', target: { catalog: 'hive_mirror' } });
    expect(result).toMatchObject({ transport: 'buffered', pollIntervalMs: 1000, batchSize: 500, connectTimeoutMs: 10_000, callTimeoutMs: 60_000, exclude: [] });
    expect(parse({ uris: ['thrift://[::1]:9083', 'thrift://hms'] }).success).toBe(true);
  });

  it('rejects a uri that is not thrift://host:port or http(s)://, an unknown transport and unknown keys', () => {
    const issues = (source: Record<string, unknown>) => (parse(source).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ uris: ['ftp://hms:9083'] })).toEqual(['sources.0.uris.0: must be thrift://host:port (e.g. thrift://hms-1:9083), or http(s)://host:port/path for Thrift over HTTP']);
    expect(issues({ uris: ['hms-1:9083'] })).toHaveLength(1);
    expect(issues({ uris: ['thrift://hms:9083'], transport: 'compact' })).toEqual(['sources.0.transport: transport must be buffered or framed']);
    expect(issues({ uris: ['thrift://hms:9083'], pollIntervallMs: 5 })[0]).toMatch(/pollIntervallMs/);
  });

  it('without uris a source is hook-only and needs ingestToken', () => {
    expect(parse({ ingestToken: 'secret-token' }).success).toBe(true);
    expect(parse({}).error?.issues.map((i) => i.message)).toEqual([expect.stringContaining('give uris')]);
  });
});
