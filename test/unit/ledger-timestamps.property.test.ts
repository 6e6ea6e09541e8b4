// Property: whatever observations arrive (late, repeated, with clocks going backwards) and however often
// the process restarts, the timestamps assigned to one table never decrease, and every accepted change
// gets one strictly above every timestamp that table had before.
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore as Ledger } from '../../src/ledger/sqlite/sqlite-store.js';
import { absent, present, tempDir } from './support.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('pm-ts-prop-'));
});
afterAll(() => cleanup());

type Command =
  | { kind: 'present'; table: number; location: number; order: number; time: number }
  | { kind: 'absent'; table: number; order: number; time: number }
  | { kind: 'apply'; table: number }
  | { kind: 'raise'; table: number; by: number }
  | { kind: 'reopen' };

const table = fc.integer({ min: 0, max: 2 });
const order = fc.integer({ min: 0, max: 40 });
const time = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_100 }), fc.constant(0));

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('present' as const), table, location: fc.integer({ min: 0, max: 3 }), order, time }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('absent' as const), table, order, time }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('apply' as const), table }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('raise' as const), table, by: fc.integer({ min: 1, max: 1000 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

const name = (t: number) => `t${t}`;
const location = (t: number, l: number) => `s3://lake/db/${name(t)}/metadata/0000${l}.metadata.json`;

describe('timestamps across restarts', () => {
  let run = 0;

  it('property: per-table timestamps never decrease and rise strictly on every accepted change', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 30 }), async (commands) => {
        // Yields between runs: as one synchronous block (ledgers opened and fsynced, 53 s on a machine busy
        // with disk work) the runs starve the worker's messages to vitest, which gives up after 60 s.
        await new Promise((resolve) => setImmediate(resolve));
        const path = join(dir, `run-${run++}.db`);
        let ledger = Ledger.open(path);
        /** Highest timestamp seen for each table, and its desired timestamp after the last step. */
        const highest = new Map<number, number>();
        const desired = new Map<number, number>();
        const rowOf = (t: number) => ledger.rowsOfSource('src').find((r) => r.table.name === name(t));
        try {
          for (const c of commands) {
            if (c.kind === 'reopen') {
              ledger.close();
              ledger = Ledger.open(path);
            } else if (c.kind === 'apply') {
              const r = rowOf(c.table);
              if (!r) continue;
              ledger.applyOutcome({
                kind: 'applied',
                id: r.id,
                rev: r.rev,
                applied: { state: r.desired.state, metadataLocation: r.desired.metadataLocation, tableUuid: null, timestamp: r.desired.timestamp },
              });
            } else if (c.kind === 'raise') {
              const r = rowOf(c.table);
              if (!r) continue;
              ledger.raiseTimestamp(r.id, r.lastTimestamp + c.by);
              highest.set(c.table, r.lastTimestamp + c.by);
            } else {
              const obs =
                c.kind === 'present'
                  ? present(location(c.table, c.location), { name: name(c.table), order: c.order, time: c.time })
                  : absent({ name: name(c.table), order: c.order, time: c.time });
              const before = rowOf(c.table);
              const [result] = ledger.observe([obs]);
              const after = rowOf(c.table)!;
              const previousHigh = highest.get(c.table);
              if (result === 'accepted' && before !== undefined && !sameState(before, c)) {
                // a change: strictly above everything this table had
                expect(after.desired.timestamp).toBeGreaterThan(previousHigh!);
                expect(after.desired.timestamp).toBeGreaterThanOrEqual(c.time);
              }
              if (before === undefined) expect(after.desired.timestamp).toBe(c.time);
              if (result === 'stale' || result === 'unchanged') expect(after.desired.timestamp).toBe(before!.desired.timestamp);
            }
            // invariants after every step, for every table
            for (const t of [0, 1, 2]) {
              const r = rowOf(t);
              if (!r) continue;
              const previous = desired.get(t);
              if (previous !== undefined) expect(r.desired.timestamp).toBeGreaterThanOrEqual(previous);
              expect(r.lastTimestamp).toBeGreaterThanOrEqual(r.desired.timestamp);
              expect(r.lastTimestamp).toBeGreaterThanOrEqual(highest.get(t) ?? 0);
              desired.set(t, r.desired.timestamp);
              highest.set(t, Math.max(highest.get(t) ?? 0, r.lastTimestamp));
            }
          }
        } finally {
          ledger.close();
        }
      }),
      { numRuns: 120 },
    );
  });
});

function sameState(
  before: { desired: { state: string; metadataLocation: string | null } },
  c: { kind: 'present'; table: number; location: number } | { kind: 'absent'; table: number },
): boolean {
  if (c.kind === 'absent') return before.desired.state === 'absent';
  return before.desired.state === 'present' && before.desired.metadataLocation === location(c.table, c.location);
}
