// The Hive events benchmark (test/bench/hive-events.ts) shortened to a correctness check: the real `run`
// daemon reads a burst of ALTER_TABLE commits from the metastore emulator's log (messages rendered at the
// append, as the benchmark has them) until its cursor holds the last event and every table is in sync in
// Polaris. No timing is asserted (figures come from `npm run bench -- hive`); what must hold at any size:
// every table ends at its last commit, coalescing sends at most one UPDATE per table per batch, and the
// CPU figures the benchmark prints are there. Spawns the built CLI: `npm run build` first.
import { describe, expect, it } from 'vitest';
import { benchHiveEvents } from '../bench/hive-events.js';

describe('the hive events benchmark, shortened', () => {
  it('2,000 commits over 200 tables in batches of 100: read to the last event, converged, coalesced', async () => {
    const r = await benchHiveEvents({ events: 2_000, tables: 200, batchSize: 100, latencyMs: 0 });
    expect([r.events, r.tables, r.batchSize]).toEqual([2_000, 200, 100]);
    expect(r.eventsPerSecond).toBeGreaterThan(0);
    // The benchmark returns only once every table was in sync at its last commit. Its seeded workload
    // commits every one of the 200 tables, so each got at least one UPDATE, and never more than one per
    // batch it was in (a send carries the table's latest state).
    expect(r.updates).toBeGreaterThanOrEqual(r.tables);
    expect(r.updates).toBeLessThanOrEqual(r.tableBatches);
    expect(r.daemonCpuSeconds).toBeGreaterThan(0);
    expect(r.metastoreCpuSeconds).toBeGreaterThan(0);
  }, 300_000);
});
