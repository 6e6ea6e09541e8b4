// What the Glue benchmark's emulator holds per table: its lake of `tables` tables (as
// test/emulators/glue/cli.ts builds it, with a store that cannot delete) in this process, then the heap
// in use after a full collection and the time a forced full collection takes. The event latencies of
// the Glue benchmark run through this emulator, so at 1,000,000 tables its collections were part of
// the measured figures (README, "The benchmark's own pauses").
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { benchDatabaseOf } from '../emulators/glue/bench-lake.js';
import { GlueCatalog } from '../emulators/glue/catalog.js';
import { GlueLake } from '../emulators/glue/lake.js';

export interface GlueEmulatorHeap {
  tables: number;
  heapUsedMb: number;
  fullCollectionMs: number;
}

export async function benchGlueEmulatorHeap(tables: number, databases: number): Promise<GlueEmulatorHeap> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const catalog = new GlueCatalog();
  const lake = await GlueLake.create(catalog, { putObject: () => undefined }, 's3://bench/warehouse');
  for (let i = 0; i < tables; i++) lake.commit(benchDatabaseOf(i, databases), `t${i}`);
  gc();
  const heapUsedMb = process.memoryUsage().heapUsed / 1e6;
  const started = performance.now();
  gc();
  const fullCollectionMs = performance.now() - started;
  // Keeps the lake alive through the measurement.
  if (catalog.tableCount() !== tables) throw new Error(`the lake holds ${catalog.tableCount()} tables, not ${tables}`);
  return { tables, heapUsedMb, fullCollectionMs };
}
