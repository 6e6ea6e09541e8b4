// Fuzzing what the sources read from outside: EventBridge envelopes from SQS (Glue) and Hive
// notification messages (bad Base64, bad gzip, deep nesting, huge strings, unicode and U+001F in
// names). Never a crash; whatever is accepted is well formed; whatever is refused says why. A TJSON
// table read through the memo of recent tables is exactly what a full parse reads, whatever changed.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGlueMessage } from '../../adapters/glue/glue-events.js';
import { interpretEvent } from '../../adapters/hive-log/messages/interpret-event.js';
import { RecentTjsonTables } from '../../adapters/hive-log/messages/recent-tjson-tables.js';
import { parseTjsonTable } from '../../adapters/hive-log/messages/tjson-table.js';
import { fuzzRuns, NASTY_STRINGS } from './fuzz-runs.js';

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom(...NASTY_STRINGS));
const deep = fc.integer({ min: 1, max: 2_000 }).map((n) => '['.repeat(n) + ']'.repeat(n));

describe('Glue: EventBridge envelopes from SQS (fuzz)', () => {
  const detail = fc.record(
    {
      databaseName: fc.oneof(text, fc.integer(), fc.constant(null)),
      typeOfChange: fc.oneof(fc.constantFrom('CreateTable', 'DeleteTable', 'BatchDeleteTable', 'UpdateTable', 'DeleteDatabase', 'CreateDatabase'), text),
      changedTables: fc.oneof(fc.array(text, { maxLength: 5 }), text, fc.anything()),
      tableName: fc.oneof(text, fc.anything()),
    },
    { requiredKeys: [] },
  );
  const envelope = fc.record(
    {
      version: fc.constant('0'),
      id: fc.oneof(fc.uuid(), text),
      'detail-type': fc.oneof(fc.constantFrom('Glue Data Catalog Database State Change', 'Glue Data Catalog Table State Change'), text),
      source: fc.oneof(fc.constant('aws.glue'), text),
      time: text,
      detail: fc.oneof(detail, fc.anything()),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    envelope.map((e) => JSON.stringify(e)),
    envelope.map((e) => JSON.stringify({ Type: 'Notification', Message: JSON.stringify(e) })),
    fc.anything().map((v) => JSON.stringify(v) ?? ''),
    text,
    deep,
  );

  it('never throws; an accepted message names its database and tables as strings; a refused one says why', () => {
    fc.assert(
      fc.property(body, (raw) => {
        const parsed = parseGlueMessage(raw);
        if (!parsed.ok) {
          expect(parsed.reason.length).toBeGreaterThan(0);
          return;
        }
        expect(typeof parsed.change.database).toBe('string');
        if (parsed.change.kind === 'tables') for (const table of parsed.change.tables) expect(typeof table).toBe('string');
      }),
      { numRuns: fuzzRuns(1_000) },
    );
  });
});

describe('Hive: notification messages (fuzz)', () => {
  const json = fc.oneof(
    fc.json(),
    fc.record({ db: text, table: text, tableType: text, tableObjJson: fc.oneof(text, fc.json()), tableObjBeforeJson: text, tableObjAfterJson: text }, { requiredKeys: [] }).map((o) =>
      JSON.stringify(o),
    ),
    deep,
  );
  const message = fc.oneof(
    json,
    json.map((t) => gzipSync(t).toString('base64')),
    json.map((t) => gzipSync(t).toString('base64').slice(0, Math.max(1, t.length >> 1))),
    text,
    fc.string({ unit: 'binary' }).map((t) => Buffer.from(t).toString('base64')),
  );
  const event = fc.record({
    eventType: fc.oneof(fc.constantFrom('CREATE_TABLE', 'ALTER_TABLE', 'DROP_TABLE', 'DROP_DATABASE', 'CREATE_DATABASE', 'ADD_PARTITION'), text),
    dbName: fc.oneof(text, fc.constant(undefined)),
    tableName: fc.oneof(text, fc.constant(undefined)),
    message,
    messageFormat: fc.oneof(fc.constantFrom('json-0.2', 'json-2.0', 'gzip(json-2.0)', undefined), text),
    catName: fc.oneof(fc.constant(undefined), fc.constant('hive'), text),
  });

  it('never throws; changes name tables with string names; unparseable ones carry a reason', () => {
    fc.assert(
      fc.property(event, (e) => {
        const result = interpretEvent(e, undefined);
        if (result.kind === 'unparseable') expect(result.reason.length).toBeGreaterThan(0);
        const changes = result.kind === 'changes' ? result.changes : result.kind === 'unparseable' ? result.fallback : [];
        for (const change of changes) {
          expect(typeof change.table.name).toBe('string');
          for (const level of change.table.namespace) expect(typeof level).toBe('string');
          if (change.kind === 'present') expect(typeof change.metadataLocation).toBe('string');
        }
      }),
      { numRuns: fuzzRuns(1_000) },
    );
  });
});

describe('Hive: TJSON tables read through the memo of recent tables (fuzz)', () => {
  const parameters = fc.dictionary(text, text, { maxKeys: 6 });
  const tableObject = fc.record({ name: text, db: text, type: fc.constantFrom('EXTERNAL_TABLE', 'VIRTUAL_VIEW'), parameters, extra: fc.json() });
  // As a metastore writes it, the storage descriptor comes before the parameters.
  const STORAGE = { 2: { str: 's3://lake/t' }, 3: { str: 'org.apache.iceberg.mr.hive.HiveIcebergInputFormat' }, 4: { str: 'org.apache.iceberg.mr.hive.HiveIcebergOutputFormat' } };
  type TableObject = { name: string; db: string; type: string; parameters: Record<string, string>; extra: string };
  const tjson = (t: TableObject, params: Record<string, string>) =>
    JSON.stringify({ 1: { str: t.name }, 2: { str: t.db }, 7: { rec: STORAGE }, 9: { map: ['str', 'str', Object.keys(params).length, params] }, 12: { str: t.type }, 30: JSON.parse(t.extra) });
  /** The next text: new parameters (a commit), or an edit anywhere, structural characters included. */
  const edit = fc.oneof(
    parameters.map((params) => ({ params })),
    fc.record({ at: fc.nat(), remove: fc.nat({ max: 6 }), insert: fc.oneof(text, fc.constantFrom('"', '\\', '\\"', '{', '}', '[', ',', '"9":{}', ',"9":{"map":["str","str",0,{}]}', ' ')) }),
  );
  const outcome = (text: string, recent?: RecentTjsonTables) => {
    try {
      const table = parseTjsonTable(text, 'tableObjAfterJson', recent);
      return { ...table, parameters: [...table.parameters] };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };

  it('the next text reads the same through the memo as parsed in full (result or error)', () => {
    let hits = 0;
    const runs = fuzzRuns(2_000);
    fc.assert(
      fc.property(tableObject, edit, (t, change) => {
        const first = tjson(t, t.parameters);
        const next = 'params' in change ? tjson(t, change.params) : first.slice(0, change.at % (first.length + 1)) + change.insert + first.slice((change.at % (first.length + 1)) + change.remove);
        const recent = new RecentTjsonTables();
        expect(outcome(first, recent)).toEqual(outcome(first));
        expect(outcome(next, recent)).toEqual(outcome(next));
        hits += recent.counts.hits;
      }),
      { numRuns: runs },
    );
    // The commits (half the cases) are read from the memo: the comparison above is not all full parses.
    expect(hits).toBeGreaterThan(runs / 4);
  });
});
