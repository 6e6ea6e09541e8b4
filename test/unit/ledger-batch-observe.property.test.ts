// Property: storing observations as one batch (the set-wise path a source's commit takes) leaves the
// ledger exactly as storing them one at a time would: same rows, same results — with tables repeated
// inside a batch, stale orders, absences, UUID changes, outcomes in between and another source that
// already mirrors some of the Polaris tables.
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/ledger/sqlite/sqlite-store.js';
import type { NormalizedObservation } from '../../src/normalizer/normalize.js';
import { absent, present, tempDir } from './support.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('pm-batch-prop-'));
});
afterAll(() => cleanup());

type Obs = { table: number; state: 'present' | 'absent'; location: number; uuid: number; order: number; time: number; confirmed: boolean };
type Step = { kind: 'batch'; items: Obs[] } | { kind: 'apply'; table: number } | { kind: 'fail'; table: number };

const table = fc.integer({ min: 0, max: 5 });
const obs: fc.Arbitrary<Obs> = fc.record({
  table,
  state: fc.constantFrom('present' as const, 'present' as const, 'absent' as const),
  location: fc.integer({ min: 0, max: 2 }),
  uuid: fc.integer({ min: 0, max: 1 }),
  order: fc.integer({ min: 0, max: 30 }),
  time: fc.integer({ min: 0, max: 50 }),
  confirmed: fc.boolean(),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('batch' as const), items: fc.array(obs, { minLength: 2, maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('apply' as const), table }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail' as const), table }) },
);

const name = (t: number) => `t${t}`;
function toObservation(o: Obs): NormalizedObservation {
  const spec = { name: name(o.table), order: o.order, time: o.time };
  return o.state === 'present'
    ? present(`s3://lake/db/${name(o.table)}/metadata/0000${o.location}.metadata.json`, { ...spec, uuid: `uuid-${o.table}-${o.uuid}` })
    : absent({ ...spec, confirmed: o.confirmed });
}

/** Tables 4 and 5 are mirrored by another source on the same Polaris tables: their rows here are owner conflicts. */
function seedOtherSource(store: SqliteStore): void {
  store.transaction(() => store.observe([4, 5].map((t) => present(`s3://other/${name(t)}/v1.metadata.json`, { source: 'other', name: name(t), order: 1 })), 1));
}

function rows(store: SqliteStore): unknown[] {
  return store.db.prepare('SELECT * FROM tables ORDER BY id').all();
}

describe('batched observe', () => {
  let run = 0;
  it('property: a batch stores what one-at-a-time stores', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), fc.boolean(), async (steps, otherSource) => {
        // Each run opens two ledgers and commits with fsync: on a machine busy with disk work the 150 runs
        // took 100 s, and as one synchronous block they starved the test worker's own messages to vitest
        // (it gives up after 60 s: "Timeout calling onTaskUpdate"). Yielding between runs keeps them flowing.
        await new Promise((resolve) => setImmediate(resolve));
        run++;
        const batched = SqliteStore.open(join(dir, `batched-${run}.db`));
        const single = SqliteStore.open(join(dir, `single-${run}.db`));
        try {
          if (otherSource) for (const store of [batched, single]) seedOtherSource(store);
          for (const s of steps) {
            if (s.kind === 'batch') {
              const observations = s.items.map(toObservation);
              const now = 1_000;
              const together = batched.transaction(() => batched.observe(observations, now));
              const oneByOne = single.transaction(() => observations.map((o) => single.observe([o], now)[0]));
              expect(together).toEqual(oneByOne);
            } else {
              for (const store of [batched, single]) {
                const row = store.rowsOfSource('src').find((r) => r.table.name === name(s.table));
                if (!row) continue;
                if (s.kind === 'apply') {
                  const applied = { state: row.desired.state, metadataLocation: row.desired.metadataLocation, tableUuid: row.desired.tableUuid, timestamp: row.desired.timestamp };
                  store.applyOutcome({ kind: 'applied', id: row.id, rev: row.rev, applied }, 2_000);
                } else {
                  store.applyOutcome({ kind: 'retry', id: row.id, rev: row.rev, error: 'busy', delayMs: 500 }, 2_000);
                }
              }
            }
            expect(rows(batched)).toEqual(rows(single));
          }
        } finally {
          batched.close();
          single.close();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a batch of 500 changes to tables already due leaves them due and stores every change', () => {
    const store = SqliteStore.open(join(dir, 'due.db'));
    try {
      const first = Array.from({ length: 500 }, (_, i) => present(`s3://lake/db/t${i}/v1.metadata.json`, { name: `t${i}`, order: 1, uuid: `u${i}` }));
      store.transaction(() => store.observe(first, 1_000));
      const second = Array.from({ length: 500 }, (_, i) => present(`s3://lake/db/t${i}/v2.metadata.json`, { name: `t${i}`, order: 2, time: 5, uuid: `u${i}` }));
      expect(new Set(store.transaction(() => store.observe(second, 2_000)))).toEqual(new Set(['accepted']));
      expect(store.due(2_000, 1_000)).toHaveLength(500);
      const row = store.rowsOfSource('src').find((r) => r.table.name === 't7')!;
      expect(row.desired).toMatchObject({ metadataLocation: 's3://lake/db/t7/v2.metadata.json', tableUuid: 'u7', order: 2 });
      expect(row.status).toBe('pending');
      expect(row.rev).toBe(2);
    } finally {
      store.close();
    }
  });
});
