// A table whose operation never settles (a promise stuck anywhere below the dispatcher) holds one slot
// until the operation deadline, never the whole sync: it is recorded as a transient failure, the slot is
// released, the other tables are mirrored, and the stuck table is mirrored once it answers again.
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher, type DeadlineTimer } from '../../src/engine/dispatcher.js';
import type { TableConverger } from '../../src/engine/table-converger.js';
import type { MirrorRow } from '../../src/ledger/rows.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { openMirror } from '../support/engine.js';
import { CATALOG, startHarness, type Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a stuck operation', () => {
  it('is abandoned at the deadline, recorded as a retry, and never stops the other tables', async () => {
    h = await startHarness();
    await h.writeConfig((c) => {
      c.server = { host: '127.0.0.1', port: 0 };
      c.polaris.concurrency = 1;
      c.sources = [{ name: 'hooks', type: 'webhook', token: 'ingest-token', target: { catalog: CATALOG } }];
    });
    const names = ['stuck', 'a', 'b', 'c'];
    const locations = new Map<string, string>();
    for (const name of names) locations.set(name, await h.writeTable(['ns'], name));
    const mirror = openMirror(h);
    try {
      // The deadlines are the test's: one expires only when the test says, never because a loaded machine
      // was slow to answer (a 200 ms timer used to abandon the healthy operations too, now and then).
      const armed = new Set<() => void>();
      const deadlineTimer: DeadlineTimer = (_ms, expire) => {
        armed.add(expire);
        return () => armed.delete(expire);
      };
      // The real converger, except that the first attempt at "stuck" never settles (whatever its signal
      // says): its deadline then passes. With one slot it is the only operation armed at that moment.
      let stuckAttempts = 0;
      let armedWhenStuck = 0;
      const converger = {
        prepare: (row: MirrorRow) => mirror.converger.prepare(row),
        recorded: (row: MirrorRow, outcome: Parameters<TableConverger['recorded']>[1]) => mirror.converger.recorded(row, outcome),
        converge(row: MirrorRow, signal?: AbortSignal) {
          if (row.table.name === 'stuck' && ++stuckAttempts === 1) {
            armedWhenStuck = armed.size;
            for (const expire of armed) expire();
            return new Promise(() => undefined);
          }
          return mirror.converger.converge(row, signal);
        },
      } as unknown as TableConverger;
      await mirror.sources.get('hooks')!.sink.commit(
        names.map((name, i) => ({ table: { namespace: ['ns'], name }, state: 'present' as const, metadataLocation: locations.get(name)!, order: 1 + i, sourceTimeMs: 1_000 + i })),
      );
      // One slot in all: without the deadline the stuck table holds it for good and runUntilSettled never returns.
      const dispatcher = new Dispatcher({ ledger: mirror.ledger, converger, concurrency: 1, logger: silentLogger(), operationDeadlineMs: 200, deadlineTimer });
      await dispatcher.runUntilSettled();
      expect(armedWhenStuck).toBe(1);
      expect(stuckAttempts).toBe(2);
      for (const name of names) expect(h.polarisState().get(`ns.${name}`)).toBe(locations.get(name));
      const rows = await mirror.ledger.rowsOfSource('hooks');
      expect(rows.every((row) => row.status === 'in_sync')).toBe(true);
      const history = await mirror.ledger.history(rows.find((row) => row.table.name === 'stuck')!.id);
      expect(history.some((entry) => entry.outcome === 'retry' && /no result within 200 ms/.test(entry.detail ?? ''))).toBe(true);
    } finally {
      await mirror.close();
    }
  }, 60_000);
});
