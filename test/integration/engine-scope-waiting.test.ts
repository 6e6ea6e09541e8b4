// A retry's tables that all wait for their retry time (Polaris answered 503s, say) are read once while
// they wait, not at every turn: a retry of a million tables read every one of them twice per idle poll.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/engine/dispatcher.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { openMirror } from '../support/engine.js';
import { CATALOG, startHarness, type Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The ledger, counting its single-row reads and noting how many there were when the first table was claimed. */
function countingReads(ledger: Ledger) {
  const counts = { gets: 0, getsBeforeFirstClaim: undefined as number | undefined };
  const counted = new Proxy(ledger, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== 'function') return value;
      if (key === 'get') return (id: number) => (counts.gets++, target.get(id));
      if (key === 'claim') return (ids: readonly number[]) => ((counts.getsBeforeFirstClaim ??= counts.gets), target.claim(ids));
      return value.bind(target);
    },
  });
  return { counted, counts };
}

describe("a retry's tables waiting for their retry time", () => {
  it('are read once while they wait (the idle poll in between reads none), then converge', async () => {
    h = await startHarness();
    await h.writeConfig((c) => {
      c.server = { host: '127.0.0.1', port: 0 };
      c.sources = [{ name: 'hooks', type: 'webhook', token: 'ingest-token', target: { catalog: CATALOG } }];
    });
    const names = Array.from({ length: 30 }, (_, i) => `t${i}`);
    const locations = new Map<string, string>();
    for (const name of names) locations.set(name, await h.writeTable(['ns'], name));
    const mirror = openMirror(h);
    try {
      await mirror.sources.get('hooks')!.sink.commit(
        names.map((name, i) => ({ table: { namespace: ['ns'], name }, state: 'present' as const, metadataLocation: locations.get(name)!, order: 1, sourceTimeMs: 1_000 + i })),
      );
      // Every table waits for a retry 8 s ahead: past the dispatcher's idle poll (5 s), so one poll comes
      // in between, with seconds to spare for a busy machine to start the dispatcher before that.
      const dueAt = Date.now() + 8_000;
      const db = new Database(h.statePath);
      db.prepare('UPDATE tables SET attempts = 2, next_attempt_at = ?').run(dueAt);
      db.close();
      const ids = new Set((await mirror.ledger.rowsOfSource('hooks')).map((row) => row.id));
      expect(ids.size).toBe(names.length);

      const { counted, counts } = countingReads(mirror.ledger);
      const dispatcher = new Dispatcher({ ledger: counted, converger: mirror.converger, concurrency: 4, logger: silentLogger(), onlyIds: ids });
      await dispatcher.runUntilSettled();

      expect(Date.now()).toBeGreaterThanOrEqual(dueAt);
      // Once round while they wait, then the look that finds the first due: under two reads per table.
      // Before, every idle turn read each table twice (its look, then whether the scope had settled).
      expect(counts.getsBeforeFirstClaim).toBeGreaterThanOrEqual(names.length);
      expect(counts.getsBeforeFirstClaim).toBeLessThan(2 * names.length);
      for (const name of names) expect(h.polarisState().get(`ns.${name}`)).toBe(locations.get(name));
    } finally {
      await mirror.close();
    }
  }, 60_000);
});
