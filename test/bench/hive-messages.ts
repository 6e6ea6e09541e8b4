// Benchmark: interpreting the Hive events benchmark's ALTER_TABLE messages in this process, without the
// log, the ledger or Polaris — 100,000 Iceberg commits spread at random over 5,000 tables (json-0.2,
// ~3 KB each, as the metastore emulator renders them). Prints the time per event of interpretEvent and
// of the TJSON table parse alone, parsed in full and through RecentTjsonTables (best of the rounds,
// alternating, so both see the same machine).
import { performance } from 'node:perf_hooks';
import { interpretEvent, recentTables, type HiveEvent } from '../../adapters/hive-log/messages/interpret-event.js';
import { RecentTjsonTables } from '../../adapters/hive-log/messages/recent-tjson-tables.js';
import { parseTjsonTable } from '../../adapters/hive-log/messages/tjson-table.js';
import { HiveMetastore } from '../emulators/hive/metastore.js';

export interface HiveMessagesResult {
  readonly events: number;
  readonly tables: number;
  /** interpretEvent per event (the shared memo warmed by the first round). */
  readonly interpretMicros: number;
  /** The after-table's TJSON: parsed in full, and through a memo of recent tables. */
  readonly tableFullMicros: number;
  readonly tableMemoMicros: number;
  readonly memoHits: number;
  readonly memoMisses: number;
}

export function benchHiveMessages(options: { events?: number; tables?: number; rounds?: number } = {}): HiveMessagesResult {
  const { events: count = 100_000, tables = 5_000, rounds = 3 } = options;
  const metastore = new HiveMetastore({ version: '3', messageFormat: 'json-0.2', renderMessagesAtAppend: true });
  const NAMESPACES = 10;
  for (let n = 0; n < NAMESPACES; n++) metastore.createDatabase(`ns${n}`);
  const location = (t: number, version: number) => `s3://bench/warehouse/ns${t % NAMESPACES}.db/t${t}/metadata/${String(version).padStart(5, '0')}-${t}.metadata.json`;
  for (let t = 0; t < tables; t++) metastore.createIcebergTable(`ns${t % NAMESPACES}`, `t${t}`, { metadataLocation: location(t, 0) });
  const from = metastore.currentEventId;
  for (let k = 1; k <= count; k++) {
    const t = Math.floor(Math.random() * tables);
    metastore.commitIceberg(`ns${t % NAMESPACES}`, `t${t}`, location(t, k));
  }
  const events: HiveEvent[] = metastore.eventsAfter(from, 0).map((e) => ({ ...e, ...e.render() }));
  const afterTables = events.map((e) => (JSON.parse(e.message) as { tableObjAfterJson: string }).tableObjAfterJson);

  const best = { interpret: Infinity, full: Infinity, memo: Infinity };
  const hitsBefore = { ...recentTables.counts };
  for (let round = 0; round < rounds; round++) {
    best.interpret = Math.min(best.interpret, timed(() => events.forEach((e) => interpretEvent(e, undefined))));
    best.full = Math.min(best.full, timed(() => afterTables.forEach((text) => parseTjsonTable(text, 'tableObjAfterJson'))));
    const memo = new RecentTjsonTables();
    best.memo = Math.min(best.memo, timed(() => afterTables.forEach((text) => parseTjsonTable(text, 'tableObjAfterJson', memo))));
  }
  const micros = (ms: number) => (ms * 1000) / events.length;
  return {
    events: events.length,
    tables,
    interpretMicros: micros(best.interpret),
    tableFullMicros: micros(best.full),
    tableMemoMicros: micros(best.memo),
    memoHits: recentTables.counts.hits - hitsBefore.hits,
    memoMisses: recentTables.counts.misses - hitsBefore.misses,
  };
}

function timed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}
