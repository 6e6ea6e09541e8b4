// Notification messages: both formats (json-0.2, gzip(json-2.0)), TJSON table objects, what each event
// means for the mirror, and poison inputs (bad JSON, bad gzip, bad Base64, wrong content).
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeMessage, UnparseableMessage } from '../../adapters/hive-log/messages/decode-message.js';
import { interpretEvent, type HiveEvent } from '../../adapters/hive-log/messages/interpret-event.js';
import { parseTjsonTable } from '../../adapters/hive-log/messages/tjson-table.js';
import { HiveMetastore } from '../emulators/hive/metastore.js';
import { tableToTjson } from '../emulators/hive/tjson.js';
import { encodeNotificationEvent } from '../emulators/hive/wire.js';
import type { HiveVersion, MessageFormat, MetastoreOptions } from '../emulators/hive/types.js';

const LOC1 = 's3://lake/sales/orders/metadata/00001-a.metadata.json';
const LOC2 = 's3://lake/sales/orders/metadata/00002-b.metadata.json';
const UUID = '6f0c3f55-1d1e-4a8e-9a53-6a4c2c5e2b10';

/** The events a metastore writes for `ddl`, as the connector receives them. */
function eventsOf(ddl: (m: HiveMetastore) => void, options: MetastoreOptions = {}): HiveEvent[] {
  const metastore = new HiveMetastore(options);
  metastore.createDatabase('sales');
  const from = metastore.currentEventId;
  ddl(metastore);
  return metastore.eventsAfter(from, 0).map((e) => ({ ...e, ...e.render() }));
}

const only = (events: HiveEvent[]) => {
  expect(events).toHaveLength(1);
  return events[0]!;
};

describe('decodeMessage', () => {
  const json = { db: 'sales', table: 'orders' };

  it('json-0.2 and json-2.0 are the JSON text; gzip(json-2.0) is Base64 of its gzip', () => {
    expect(decodeMessage(JSON.stringify(json), 'json-0.2')).toEqual(json);
    expect(decodeMessage(JSON.stringify(json), 'json-2.0')).toEqual(json);
    expect(decodeMessage(gzipSync(JSON.stringify(json)).toString('base64'), 'gzip(json-2.0)')).toEqual(json);
  });

  it('without a format: JSON when it looks like JSON, else gzip', () => {
    expect(decodeMessage(JSON.stringify(json), undefined)).toEqual(json);
    expect(decodeMessage(gzipSync(JSON.stringify(json)).toString('base64'), '')).toEqual(json);
  });

  it.each([
    ['bad JSON', '{"db": "sales",', 'json-0.2', /not valid JSON/],
    ['bad Base64', 'H4sI!!!not base64***', 'gzip(json-2.0)', /not valid Base64/],
    ['Base64 of something that is not gzip', Buffer.from('plain text').toString('base64'), 'gzip(json-2.0)', /not valid gzip/],
    ['gzip of something that is not JSON', gzipSync('not json').toString('base64'), 'gzip(json-2.0)', /not valid JSON/],
    ['truncated gzip', gzipSync(JSON.stringify(json)).subarray(0, 12).toString('base64').replace(/=+$/, '').padEnd(16, '='), 'gzip(json-2.0)', /not valid gzip/],
    ['an unknown format', '{}', 'avro-1.0', /unknown messageFormat "avro-1.0"/],
  ])('%s → UnparseableMessage with the reason', (_, message, format, reason) => {
    expect(() => decodeMessage(message, format)).toThrow(UnparseableMessage);
    expect(() => decodeMessage(message, format)).toThrow(reason);
  });
});

describe('parseTjsonTable', () => {
  const metastore = new HiveMetastore();
  metastore.createDatabase('sales');
  const table = metastore.createIcebergTable('sales', 'orders', { metadataLocation: LOC1, uuid: UUID });

  it.each<HiveVersion>(['2.3', '3', '4'])('reads a Hive %s table object: names, location, parameters, type', (version) => {
    const parsed = parseTjsonTable(tableToTjson(table, version), 'tableObjJson');
    expect(parsed).toMatchObject({ tableName: 'orders', dbName: 'sales', location: 's3://lake/sales/orders', tableType: 'EXTERNAL_TABLE' });
    expect(Object.fromEntries(parsed.parameters)).toMatchObject({ table_type: 'ICEBERG', metadata_location: LOC1, uuid: UUID });
  });

  it('says which field is wrong', () => {
    expect(() => parseTjsonTable('{"2":{"str":"sales"}}', 'tableObjAfterJson')).toThrow(/tableObjAfterJson is not a Thrift TJSON Table: field 1 \(tableName\)/);
    expect(() => parseTjsonTable('{"1":{"str":"t"},"2":{"str":"d"},"9":{"map":["str","str",1,{"k":5}]}}', 'x')).toThrow(/field 9 \(parameters\)/);
    expect(() => parseTjsonTable('not json', 'tableObjJson')).toThrow(/tableObjJson is not valid JSON/);
    const named = '"1":{"str":"t"},"2":{"str":"d"}';
    expect(() => parseTjsonTable(`{${named},"7":{"2":{"str":"s3://x"}}}`, 'x')).toThrow(/field 7 \(sd\)/);
    expect(() => parseTjsonTable(`{${named},"7":{"rec":{"2":"s3://x"}}}`, 'x')).toThrow(/field 7 \(sd\)/);
    expect(() => parseTjsonTable(`{${named},"9":{"map":["str","str",1,{"k":"v"},"extra"]}}`, 'x')).toThrow(/field 9 \(parameters\)/);
    expect(() => parseTjsonTable(`{${named},"9":{"map":["str","str",1,["k","v"]]}}`, 'x')).toThrow(/field 9 \(parameters\)/);
    expect(() => parseTjsonTable(`{${named},"12":{"i32":1}}`, 'x')).toThrow(/field 12 \(tableType\)/);
    expect(() => parseTjsonTable(`{${named},"17":null}`, 'x')).toThrow(/field 17 \(catName\)/);
    expect(() => parseTjsonTable(`[${named.replace(/"\d":/g, '')}]`, 'x')).toThrow(/x is not a Thrift TJSON Table/);
  });

  it('leaves out optional fields that are absent, and reads parameters whatever their names', () => {
    const parsed = parseTjsonTable('{"1":{"str":"t"},"2":{"str":"d"},"9":{"map":["str","str",2,{"__proto__":"p","constructor":"c"}]}}', 'x');
    expect(parsed).toEqual({ tableName: 't', dbName: 'd', location: undefined, tableType: undefined, catName: undefined, parameters: new Map([['__proto__', 'p'], ['constructor', 'c']]) });
  });
});

describe('interpretEvent', () => {
  it.each<[HiveVersion, MessageFormat]>([
    ['3', 'json-0.2'],
    ['4', 'gzip(json-2.0)'],
  ])('Hive %s (%s): CREATE_TABLE of an Iceberg table → present with location and UUID', (version, messageFormat) => {
    const event = only(eventsOf((m) => m.createIcebergTable('sales', 'orders', { metadataLocation: LOC1, uuid: UUID }), { version, messageFormat }));
    expect(event.messageFormat).toBe(messageFormat);
    expect(interpretEvent(event, undefined)).toEqual({
      kind: 'changes',
      changes: [{ kind: 'present', table: { namespace: ['sales'], name: 'orders' }, metadataLocation: LOC1, tableUuid: UUID }],
    });
  });

  it.each<[HiveVersion, MessageFormat]>([
    ['3', 'json-0.2'],
    ['4', 'gzip(json-2.0)'],
  ])('Hive %s (%s): the emulator renders the same messages at append (benchmarks) as when served', (version, messageFormat) => {
    const ddl = (m: HiveMetastore) => {
      m.createIcebergTable('sales', 'orders', { metadataLocation: LOC1, uuid: UUID });
      m.commitIceberg('sales', 'orders', LOC2);
      m.dropTable('sales', 'orders');
    };
    // The rows as served, without the emulator's own render function.
    const served = (events: HiveEvent[]) => events.map(({ render: _, wire: __, ...row }: HiveEvent & { render?: unknown; wire?: Buffer }) => row);
    // One clock for both logs: event times and message timestamps are whole seconds of it.
    const now = () => 1_700_000_000_000;
    const atAppend = served(eventsOf(ddl, { version, messageFormat, renderMessagesAtAppend: true, now }));
    expect(atAppend.map((e) => e.eventType)).toEqual(['CREATE_TABLE', 'ALTER_TABLE', 'DROP_TABLE']);
    expect(atAppend).toEqual(served(eventsOf(ddl, { version, messageFormat, now })));
    // Rendered once: serving an event again hands out the very same message.
    const metastore = new HiveMetastore({ version, messageFormat, renderMessagesAtAppend: true });
    metastore.createDatabase('sales');
    metastore.createIcebergTable('sales', 'orders', { metadataLocation: LOC1 });
    const [event] = metastore.eventsAfter(1n, 0);
    expect(event!.render()).toBe(event!.render());
    // What is served on the wire: the event encoded once, byte for byte what serving it unencoded writes.
    const { wire, ...row } = event!;
    expect(wire).toEqual(encodeNotificationEvent(row, version));
    expect(wire!.includes(Buffer.from(event!.render().message))).toBe(true);
  });

  it('ALTER_TABLE of an Iceberg commit → present at the new location', () => {
    const events = eventsOf((m) => {
      m.createIcebergTable('sales', 'orders', { metadataLocation: LOC1 });
      m.commitIceberg('sales', 'orders', LOC2);
    });
    expect(interpretEvent(events[1]!, undefined)).toMatchObject({ kind: 'changes', changes: [{ kind: 'present', metadataLocation: LOC2 }] });
  });

  it('ALTER_TABLE renaming (also across databases) → present under the new name, absent under the old', () => {
    const events = eventsOf((m) => {
      m.createDatabase('archive');
      m.createIcebergTable('sales', 'orders', { metadataLocation: LOC1, uuid: UUID });
      m.renameTable('sales', 'orders', 'archive', 'orders_2023');
    });
    const rename = events.at(-1)!;
    expect([rename.dbName, rename.tableName]).toEqual(['archive', 'orders_2023']);
    expect(interpretEvent(rename, undefined)).toEqual({
      kind: 'changes',
      changes: [
        { kind: 'present', table: { namespace: ['archive'], name: 'orders_2023' }, metadataLocation: LOC1, tableUuid: UUID },
        { kind: 'absent', table: { namespace: ['sales'], name: 'orders' } },
      ],
    });
  });

  it('DROP_TABLE → absent; Hive 2.3 drops (no table object) too', () => {
    for (const version of ['3', '2.3'] as const) {
      const events = eventsOf(
        (m) => {
          m.createIcebergTable('sales', 'orders', { metadataLocation: LOC1 });
          m.dropTable('sales', 'orders');
        },
        { version },
      );
      expect(interpretEvent(events[1]!, undefined), version).toEqual({ kind: 'changes', changes: [{ kind: 'absent', table: { namespace: ['sales'], name: 'orders' } }] });
    }
  });

  it('DROP_DATABASE names the database; CREATE_DATABASE and other event types are ignored', () => {
    const events = eventsOf((m) => {
      m.createDatabase('tmp');
      m.dropDatabase('tmp');
    });
    expect(interpretEvent(events[0]!, undefined)).toEqual({ kind: 'ignored', reason: 'event-type' });
    expect(interpretEvent(events[1]!, undefined)).toEqual({ kind: 'drop-database', db: 'tmp' });
    expect(interpretEvent({ eventType: 'ADD_PARTITION', dbName: 'sales', tableName: 't', message: 'whatever', messageFormat: 'json-0.2' }, undefined)).toEqual({ kind: 'ignored', reason: 'event-type' });
  });

  it('non-Iceberg tables and views are ignored with the skip reason', () => {
    const events = eventsOf((m) => {
      m.createTable('sales', 'legacy', { parameters: { 'parquet.compression': 'SNAPPY' } });
      m.createTable('sales', 'hudi', { tableType: 'EXTERNAL_TABLE', parameters: { table_type: 'HUDI' } });
      m.createTable('sales', 'v', { tableType: 'VIRTUAL_VIEW' });
      m.dropTable('sales', 'legacy');
    });
    expect(events.map((e) => interpretEvent(e, undefined))).toEqual([
      expect.objectContaining({ kind: 'ignored', reason: 'not-iceberg', detail: expect.stringContaining('no table_type parameter') }),
      expect.objectContaining({ kind: 'ignored', reason: 'not-iceberg', detail: expect.stringContaining('table_type=HUDI') }),
      expect.objectContaining({ kind: 'ignored', reason: 'view' }),
      expect.objectContaining({ kind: 'ignored', reason: 'not-iceberg' }),
    ]);
  });

  it('metadata_location stripped from the message (notification.parameters.exclude.patterns) → read the table', () => {
    const events = eventsOf(
      (m) => {
        m.createIcebergTable('sales', 'orders', { metadataLocation: LOC1 });
        m.commitIceberg('sales', 'orders', LOC2);
      },
      { excludeParameters: /metadata_location/ },
    );
    for (const event of events) {
      expect(event.message).not.toContain(LOC1);
      expect(interpretEvent(event, undefined)).toEqual({ kind: 'changes', changes: [{ kind: 'read', table: { namespace: ['sales'], name: 'orders' } }] });
    }
  });

  it('catalogName ignores events of other catalogs', () => {
    const event = only(eventsOf((m) => m.createIcebergTable('sales', 'orders', { metadataLocation: LOC1 })));
    expect(interpretEvent(event, 'spark')).toEqual({ kind: 'ignored', reason: 'other-catalog', detail: 'catalog hive' });
    expect(interpretEvent(event, 'HIVE').kind).toBe('changes');
  });

  describe('poison messages: unparseable, with what the event fields still allow', () => {
    const base = { dbName: 'sales', tableName: 'orders' };
    it.each([
      ['bad JSON', { ...base, eventType: 'ALTER_TABLE', message: '{"db":', messageFormat: 'json-0.2' }, /not valid JSON/, [{ kind: 'read' }]],
      ['bad gzip', { ...base, eventType: 'CREATE_TABLE', message: Buffer.from('nope').toString('base64'), messageFormat: 'gzip(json-2.0)' }, /not valid gzip/, [{ kind: 'read' }]],
      ['bad Base64', { ...base, eventType: 'DROP_TABLE', message: '%%%', messageFormat: 'gzip(json-2.0)' }, /not valid Base64/, [{ kind: 'absent' }]],
      ['an ALTER without tableObjAfterJson', { ...base, eventType: 'ALTER_TABLE', message: '{"db":"sales","table":"orders"}', messageFormat: 'json-0.2' }, /tableObjAfterJson is missing/, [{ kind: 'read' }]],
      ['a TJSON object that is not a table', { ...base, eventType: 'CREATE_TABLE', message: JSON.stringify({ tableObjJson: '{"1":{"i32":4}}' }), messageFormat: 'json-0.2' }, /field 1 \(tableName\)/, [{ kind: 'read' }]],
      ['no table named at all', { eventType: 'ALTER_TABLE', message: '[]', messageFormat: 'json-0.2' }, /unexpected message content/, []],
    ] as const)('%s', (_, event, reason, fallback) => {
      const result = interpretEvent(event, undefined);
      expect(result.kind).toBe('unparseable');
      if (result.kind !== 'unparseable') return;
      expect(result.reason).toMatch(reason);
      expect(result.fallback).toEqual(fallback.map((f) => ({ ...f, table: { namespace: ['sales'], name: 'orders' } })));
    });
  });
});
