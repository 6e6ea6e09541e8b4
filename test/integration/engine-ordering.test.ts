// Per-table order under concurrency and across restarts: whatever order observations arrive in, and
// however often the connector restarts, Polaris ends with the newest state of every table, timestamps
// sent for a table only rise, and no table ever has two operations in flight.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Observation } from '../../src/model/observation.js';
import { openMirror } from '../support/engine.js';
import { CATALOG, startHarness, type Harness } from '../support/harness.js';

const TABLES = ['t0', 't1', 't2', 't3'];

interface Op {
  readonly table: number;
  readonly drop: boolean;
  readonly time: number;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function webhookHarness(latencyMs: number): Promise<Harness> {
  const harness = await startHarness({ emulator: { faults: { latencyMs } } });
  await harness.writeConfig((c) => {
    c.server = { host: '127.0.0.1', port: 0 };
    c.polaris.concurrency = 8;
    c.sources = [{ name: 'hooks', type: 'webhook', token: 'ingest-token', target: { catalog: CATALOG } }];
  });
  return harness;
}

/** The newest op per table wins; on equal times the later arrival (the ledger accepts "not older"). */
function expectedState(ops: readonly Op[], locations: readonly string[]): Map<string, string> {
  const latest = new Map<number, { op: Op; index: number }>();
  ops.forEach((op, index) => {
    const seen = latest.get(op.table);
    if (!seen || op.time >= seen.op.time) latest.set(op.table, { op, index });
  });
  const state = new Map<string, string>();
  for (const [table, { op, index }] of latest) if (!op.drop) state.set(`ns.${TABLES[table]}`, locations[index]!);
  return state;
}

describe('ordering', () => {
  it('converges to the newest state of each table, with rising timestamps and one operation per table in flight (property, restarts included)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ table: fc.nat(TABLES.length - 1), drop: fc.boolean(), time: fc.integer({ min: 1, max: 50 }) }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(29), { maxLength: 3 }),
        async (ops, restartAt) => {
          h = await webhookHarness(2);
          try {
            const locations: string[] = [];
            for (const op of ops) locations.push(await h.writeTable(['ns'], TABLES[op.table]!));
            const observations: Observation[] = ops.map((op, i) => {
              const table = { namespace: ['ns'], name: TABLES[op.table]! };
              return op.drop
                ? { table, state: 'absent', confirmed: true, order: op.time, sourceTimeMs: op.time }
                : { table, state: 'present', metadataLocation: locations[i]!, order: op.time, sourceTimeMs: op.time };
            });
            // Deliver in chunks; a chunk boundary at a restart point closes the connector and opens a new one.
            const cuts = [...new Set(restartAt.filter((i) => i < observations.length))].sort((a, b) => a - b);
            let start = 0;
            for (const end of [...cuts, observations.length]) {
              const mirror = openMirror(h);
              const dispatcher = mirror.createDispatcher();
              const running = dispatcher.run();
              for (let i = start; i < end; i += 3) await mirror.sources.get('hooks')!.sink.commit(observations.slice(i, Math.min(end, i + 3)));
              dispatcher.finishWhenSettled();
              await running;
              await mirror.close();
              start = end;
            }
            expect(h.polarisState()).toEqual(expectedState(ops, locations));
            expect(h.emulator.stats().concurrentPerTableViolations).toBe(0);
            for (const name of TABLES) {
              const sent = h.emulator.history(CATALOG, ['ns'], name).filter((e) => e.type !== 'VALIDATE').map((e) => e.timestamp);
              for (let i = 1; i < sent.length; i++) expect(sent[i]!).toBeGreaterThan(sent[i - 1]!);
            }
          } finally {
            await h.close();
            h = undefined;
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a burst of updates to a few tables under concurrency 16: the last state wins, and coalescing sends fewer notifications than changes', async () => {
    h = await webhookHarness(5);
    await h.writeConfig((c) => {
      c.server = { host: '127.0.0.1', port: 0 };
      c.polaris.concurrency = 16;
      c.sources = [{ name: 'hooks', type: 'webhook', token: 'ingest-token', target: { catalog: CATALOG } }];
    });
    const locations = new Map<string, string[]>();
    for (let v = 0; v < 10; v++) {
      for (const name of TABLES) {
        const list = locations.get(name) ?? [];
        list.push(await h.writeTable(['ns'], name));
        locations.set(name, list);
      }
    }
    const mirror = openMirror(h);
    try {
      const dispatcher = mirror.createDispatcher();
      const running = dispatcher.run();
      for (let v = 0; v < 10; v++) {
        await mirror.sources.get('hooks')!.sink.commit(
          TABLES.map((name) => ({ table: { namespace: ['ns'], name }, state: 'present', metadataLocation: locations.get(name)![v]!, order: 1_000 + v, sourceTimeMs: 1_000 + v })),
        );
      }
      dispatcher.finishWhenSettled();
      await running;
    } finally {
      await mirror.close();
    }
    for (const name of TABLES) expect(h.polarisState().get(`ns.${name}`)).toBe(locations.get(name)![9]);
    expect(h.emulator.stats().concurrentPerTableViolations).toBe(0);
    const upserts = Object.entries(h.emulator.stats().notifications).filter(([k]) => /^(CREATE|UPDATE):204$/.test(k)).reduce((n, [, c]) => n + c, 0);
    expect(upserts).toBeGreaterThanOrEqual(TABLES.length);
    expect(upserts).toBeLessThan(TABLES.length * 10);
  });
});
