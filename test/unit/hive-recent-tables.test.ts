// RecentTjsonTables: a table's next TJSON text is read from its last one when only the parameters
// changed, with exactly the result (or the error) a full parse gives; anything else is parsed in full.
import { describe, expect, it } from 'vitest';
import { RecentTjsonTables, topLevelValueRange } from '../../adapters/hive-log/messages/recent-tjson-tables.js';
import { interpretEvent, recentTables, type HiveEvent } from '../../adapters/hive-log/messages/interpret-event.js';
import { parseTjsonTable } from '../../adapters/hive-log/messages/tjson-table.js';
import { HiveMetastore } from '../emulators/hive/metastore.js';
import { tableToTjson } from '../emulators/hive/tjson.js';

const LOC = (n: number) => `s3://lake/sales/orders/metadata/0000${n}-a.metadata.json`;

/** What parsing gives: the table with its parameters as entries, or the error's message. */
function outcome(text: string, recent?: RecentTjsonTables): unknown {
  try {
    const table = parseTjsonTable(text, 'tableObjAfterJson', recent);
    return { ...table, parameters: [...table.parameters] };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The table's TJSON at each of its commits, as a metastore writes them into ALTER_TABLE messages. */
function commits(count: number): string[] {
  const metastore = new HiveMetastore();
  metastore.createDatabase('sales');
  let table = metastore.createIcebergTable('sales', 'orders', { metadataLocation: LOC(0) });
  const texts = [tableToTjson(table, '3')];
  for (let n = 1; n < count; n++) {
    table = metastore.commitIceberg('sales', 'orders', LOC(n));
    texts.push(tableToTjson(table, '3'));
  }
  return texts;
}

describe('RecentTjsonTables', () => {
  it("reads a table's next commit from the last one: the same table as a full parse", () => {
    const recent = new RecentTjsonTables();
    const [first, second, third] = commits(3);
    expect(outcome(first!, recent)).toEqual(outcome(first!));
    expect(recent.counts).toEqual({ hits: 0, misses: 1, remembered: 1 });
    expect(outcome(second!, recent)).toEqual(outcome(second!));
    expect(outcome(third!, recent)).toEqual(outcome(third!));
    expect(recent.counts).toEqual({ hits: 2, misses: 1, remembered: 1 });
    expect(Object.fromEntries(parseTjsonTable(third!, 'x', recent).parameters)).toMatchObject({ metadata_location: LOC(2), previous_metadata_location: LOC(1) });
  });

  it('parses in full when anything outside the parameters changed (type, names, columns)', () => {
    const recent = new RecentTjsonTables();
    const [first, second] = commits(2);
    parseTjsonTable(first!, 'x', recent);
    for (const changed of [second!.replace('EXTERNAL_TABLE', 'MANAGED_TABLE'), second!.replace('"bigint"', '"int"'), second!.replace('"orders"', '"orderz"')]) {
      const before = recent.counts.misses;
      expect(outcome(changed, recent)).toEqual(outcome(changed));
      expect(recent.counts.misses).toBe(before + 1);
    }
  });

  it('a changed parameter map that is wrong, or written twice, reads as in a full parse; a later good one still hits', () => {
    const recent = new RecentTjsonTables();
    const [first, second] = commits(2);
    parseTjsonTable(first!, 'x', recent);
    const nine = topLevelValueRange(second!, '9')!;
    const withParameters = (value: string) => second!.slice(0, nine.start) + value + second!.slice(nine.end);
    for (const bad of ['{"map":["str","str",1,{"k":5}]}', '{"map":["str","str",1,{"k":"v"}', '[]']) {
      const expected = outcome(withParameters(bad));
      expect(expected).toHaveProperty('error');
      expect(outcome(withParameters(bad), recent)).toEqual(expected);
    }
    // Two values where one was: valid JSON, the second parameters field wins, as in a full parse.
    const twice = withParameters('{"map":["str","str",1,{"k":"v"}]},"9":{"map":["str","str",0,{}]}');
    expect(outcome(twice, recent)).toEqual(outcome(twice));
    expect(parseTjsonTable(twice, 'x', recent).parameters.size).toBe(0);
    const hits = recent.counts.hits;
    expect(outcome(second!, recent)).toEqual(outcome(second!));
    expect(recent.counts.hits).toBe(hits + 1);
  });

  it('does not remember a text whose parameters field is written twice or under an escaped key', () => {
    const recent = new RecentTjsonTables();
    const named = '{"1":{"str":"t"},"2":{"str":"d"}';
    const twice = `${named},"9":{"map":["str","str",1,{"a":"1"}]},"9":{"map":["str","str",1,{"a":"2"}]}}`;
    const escaped = `${named},"\\u0039":{"map":["str","str",1,{"a":"1"}]}}`;
    for (const text of [twice, escaped]) {
      parseTjsonTable(text, 'x', recent);
      expect(recent.size).toBe(0);
    }
    // JSON.parse keeps the last of two: so does the result after the first was remembered or not.
    const changedFirst = twice.replace('"a":"1"', '"a":"3"');
    expect(outcome(changedFirst, recent)).toEqual(outcome(changedFirst));
    expect(Object.fromEntries(parseTjsonTable(changedFirst, 'x', recent).parameters)).toEqual({ a: '2' });
  });

  it('finds the top-level member only, past strings with quotes, braces and commas in them', () => {
    const text = '{"1":{"str":"a\\",\\"9\\":{"},"7":{"rec":{"9":{"lst":["rec",0]}}},"9" : {"map":["str","str",1,{"k":"}],"}]} ,"12":{"str":"T"}}';
    const range = topLevelValueRange(text, '9')!;
    expect(text.slice(range.start, range.end)).toBe('{"map":["str","str",1,{"k":"}],"}]}');
    expect(topLevelValueRange('{"1":{"str":"t"}}', '9')).toBeUndefined();
    expect(topLevelValueRange('{"1":{"str":"t"},"9":{}}', '9')).toEqual({ start: 21, end: 23 });
  });

  it('a table whose every commit changes more than its parameters is scanned again only every 8th miss', () => {
    const recent = new RecentTjsonTables();
    const [first] = commits(1);
    // A writer that bumps field 4 (createTime) with every commit: the text never matches the last one.
    const churning = Array.from({ length: 20 }, (_, n) => first!.replace(/"4":\{"i32":\d+\}/, `"4":{"i32":${1_000 + n}}`));
    for (const text of churning) expect(outcome(text, recent)).toEqual(outcome(text));
    expect(recent.counts.hits).toBe(0);
    expect(recent.counts.remembered).toBe(3); // the first text, then at the 8th miss of each entry
    // A table read from its entry is remembered anew at its first change (a schema change), then hits.
    const fresh = new RecentTjsonTables();
    const [a, b, c] = commits(3);
    const widened = (text: string) => text.replace('"bigint"', '"decimal(38,0)"');
    parseTjsonTable(a!, 'x', fresh);
    parseTjsonTable(b!, 'x', fresh);
    expect(fresh.counts).toEqual({ hits: 1, misses: 1, remembered: 1 });
    parseTjsonTable(widened(c!), 'x', fresh);
    expect(fresh.counts).toEqual({ hits: 1, misses: 2, remembered: 2 });
    expect(outcome(widened(b!), fresh)).toEqual(outcome(widened(b!)));
    expect(fresh.counts.hits).toBe(2);
  });

  it('stays within its character budget, the oldest tables going first', () => {
    const texts = commits(1);
    const recent = new RecentTjsonTables(texts[0]!.length * 3 + 10);
    const tableNamed = (name: string) => texts[0]!.replace('"orders"', JSON.stringify(name.padEnd(6, '_')));
    for (const name of ['t1', 't2', 't3', 't4', 't5']) parseTjsonTable(tableNamed(name), 'x', recent);
    expect(recent.size).toBe(3);
    const misses = recent.counts.misses;
    parseTjsonTable(tableNamed('t5'), 'x', recent);
    parseTjsonTable(tableNamed('t1'), 'x', recent);
    expect(recent.counts.misses).toBe(misses + 1);
  });

  it('leaves out a table larger than an entry may be', () => {
    const recent = new RecentTjsonTables(1_000_000, 100);
    parseTjsonTable(commits(1)[0]!, 'x', recent);
    expect(recent.size).toBe(0);
  });
});

describe('interpretEvent with the shared memo', () => {
  it('an Iceberg commit stream reads each next table from the last (CREATE, then ALTERs), with the same changes', () => {
    const metastore = new HiveMetastore({ version: '3', messageFormat: 'json-0.2' });
    metastore.createDatabase('sales');
    const from = metastore.currentEventId;
    metastore.createIcebergTable('sales', 'orders', { metadataLocation: LOC(0) });
    for (let n = 1; n <= 3; n++) metastore.commitIceberg('sales', 'orders', LOC(n));
    const events: HiveEvent[] = metastore.eventsAfter(from, 0).map((e) => ({ ...e, ...e.render() }));
    const hits = recentTables.counts.hits;
    const changes = events.map((e) => interpretEvent(e, undefined));
    expect(recentTables.counts.hits - hits).toBe(3);
    expect(changes.map((c) => (c.kind === 'changes' ? c.changes : c))).toEqual(
      [0, 1, 2, 3].map((n) => [{ kind: 'present', table: { namespace: ['sales'], name: 'orders' }, metadataLocation: LOC(n), tableUuid: expect.any(String) }]),
    );
  });
});
