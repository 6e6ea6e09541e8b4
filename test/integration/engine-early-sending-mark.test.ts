// The record that a CREATE is about to be sent (MirrorRow.sentLocation) is written while the row waits for
// a concurrency slot, but only for a table whose directory is known to be validated: a table whose
// VALIDATE may still fail must never look as if its CREATE went out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findRow, openMirror } from '../support/engine.js';
import { CATALOG, ENGINE_CASES, startHarness, type Harness } from '../support/harness.js';

let h: Harness;

describe.each(ENGINE_CASES)('on $storage storage, $ledger ledger', ({ storage, ledger }) => {
  beforeEach(async () => {
    h = await startHarness({ storage, ledger });
  });
  afterEach(async () => {
    await h.close();
  });

  it('a CREATE prepared in a validated directory is recorded before it is sent, and the operation sends it', async () => {
    for (const name of ['first', 'second']) await h.writeTable(['ns'], name);
    const mirror = openMirror(h);
    try {
      const lake = mirror.sources.get('lake')!;
      await mirror.reconciler.pass({ adapter: lake.adapter, sink: lake.sink, maxDropFraction: 0.5 });
      const rows = await mirror.ledger.rowsOfSource('lake');
      // The first table's operation validates the directory the two tables share.
      expect((await mirror.converger.converge(findRow(rows, 'ns.first')!)).action).toBe('create');
      const second = findRow(rows, 'ns.second')!;
      mirror.converger.prepare(second);
      await mirror.ledger.drained();
      expect(await mirror.ledger.get(second.id)).toMatchObject({ applied: { state: null }, sentLocation: second.desired.metadataLocation });
      expect(h.emulator.history(CATALOG, ['ns'], 'second')).toEqual([]);

      const { outcome, action } = await mirror.converger.converge(second);
      expect(action).toBe('create');
      await mirror.ledger.applyOutcome(outcome);
      expect(h.emulator.history(CATALOG, ['ns'], 'second').map((e) => `${e.type}:${e.status}`)).toEqual(['CREATE:204']);
      expect(await mirror.ledger.get(second.id)).toMatchObject({ applied: { state: 'present' }, sentLocation: null, status: 'in_sync' });
    } finally {
      await mirror.close();
    }
  });

  it('a table whose directory is not known to be validated is not recorded as sent by prepare', async () => {
    await h.writeTable(['ns'], 'alone');
    const mirror = openMirror(h);
    try {
      const lake = mirror.sources.get('lake')!;
      await mirror.reconciler.pass({ adapter: lake.adapter, sink: lake.sink, maxDropFraction: 0.5 });
      const row = findRow(await mirror.ledger.rowsOfSource('lake'), 'ns.alone')!;
      mirror.converger.prepare(row);
      await mirror.ledger.drained();
      expect(await mirror.ledger.get(row.id)).toMatchObject({ sentLocation: null });
      expect(h.emulator.history(CATALOG, ['ns'], 'alone')).toEqual([]);
    } finally {
      await mirror.close();
    }
  });
});
