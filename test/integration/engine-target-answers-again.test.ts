// A table that failed because its target was failing is retried as soon as the daemon's probe finds
// the target answering again (probe-polaris.ts). The probe may find it answering between a table's last
// attempt and the record of that attempt's failure: its redrive then comes before the table is failed,
// and the next probe must still know that this target has a table to retry.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLARIS } from '../../src/config/targets.js';
import { Dispatcher } from '../../src/engine/dispatcher.js';
import type { TableConverger } from '../../src/engine/table-converger.js';
import type { Mirror } from '../../src/engine/mirror.js';
import type { MirrorRow } from '../../src/ledger/rows.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { findRow, openMirror } from '../support/engine.js';
import { ENGINE_CASES, startHarness, type Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** What the probe does when the target answers (probe-polaris.ts): true when it redrove the target's tables. */
async function probeAnswered(mirror: Mirror): Promise<boolean> {
  if (!mirror.targetHealth.answered(DEFAULT_POLARIS)) return false;
  await mirror.ledger.redriveTransient(DEFAULT_POLARIS);
  return true;
}

describe.each(ENGINE_CASES.filter((c) => c.storage === 'file'))('on the $ledger ledger', ({ ledger }) => {
  it('a transient failure recorded after the probe found the target answering is retried at the next probe, not after the failed-table delay', async () => {
    h = await startHarness({ ledger });
    // One attempt: a single 503 fails the table (transiently: the target's trouble).
    await h.writeConfig((c) => (c.polaris.retry = { maxAttempts: 1, baseDelayMs: 20, maxDelayMs: 100 }));
    const location = await h.writeTable(['ns'], 't');
    const harness = h;
    const mirror = openMirror(h);
    try {
      // The real converger; the probe runs (and the target answers it) after the attempt, before its record.
      const converger = {
        prepare: (row: MirrorRow) => mirror.converger.prepare(row),
        recorded: (row: MirrorRow, outcome: Parameters<TableConverger['recorded']>[1]) => mirror.converger.recorded(row, outcome),
        async converge(row: MirrorRow, signal?: AbortSignal) {
          const result = await mirror.converger.converge(row, signal);
          await probeAnswered(mirror);
          return result;
        },
      } as unknown as TableConverger;
      harness.emulator.failNext(1, { status: 503, kinds: ['notification'] });
      await mirror.sources.get('lake')!.sink.commit([await mirror.sources.get('lake')!.adapter.read!({ namespace: ['ns'], name: 't' })]);
      // Compared with a moment before the attempt: a slow machine between the record and the check cannot fail it.
      const beforeAttempt = Date.now();
      await new Dispatcher({ ledger: mirror.ledger, converger, concurrency: 1, logger: silentLogger() }).runUntilSettled();
      const failed = findRow(await mirror.ledger.rowsOfSource('lake'), 'ns.t')!;
      expect(failed).toMatchObject({ status: 'failed', failureTransient: true });
      expect(failed.nextAttemptAt).toBeGreaterThan(beforeAttempt + 10_000);

      // The next probe: the target answers, and this table is among those it retries.
      expect(await probeAnswered(mirror)).toBe(true);
      await mirror.createDispatcher().runUntilSettled();
      expect(findRow(await mirror.ledger.rowsOfSource('lake'), 'ns.t')).toMatchObject({ status: 'in_sync', applied: { state: 'present', metadataLocation: location } });
      expect(harness.polarisState().get('ns.t')).toBe(location);
    } finally {
      await mirror.close();
    }
  });
});
