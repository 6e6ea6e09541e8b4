// A table whose metadata file went before Polaris read it, and a table dropped and created again under
// the same name with the same file names (Hadoop-style vN.metadata.json): neither may be left failed
// for the failed-table delay while the source holds a table Polaris could take. Found by the chaos run
// on PostgreSQL, where a second target ended without a table the source had re-created in place.
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mirror } from '../../src/engine/mirror.js';
import { findRow, openMirror, syncWith } from '../support/engine.js';
import { CATALOG, ENGINE_CASES, startHarness, type Harness } from '../support/harness.js';

let h: Harness;

/** Reads ns.<name> from the files source and commits what it saw, as a pass would. */
async function observe(mirror: Mirror, name: string): Promise<void> {
  const source = mirror.sources.get('lake')!;
  await source.sink.commit([await source.adapter.read!({ namespace: ['ns'], name })]);
}

async function rowOf(mirror: Mirror, dotted: string) {
  return findRow(await mirror.ledger.rowsOfSource('lake'), dotted);
}

/** ns.f observed and sent, Polaris refusing it for good (403): the table ends failed; its row. */
async function failedOnce(mirror: Mirror) {
  h.emulator.failNext(1, { status: 403, body: { error: { message: 'Principal is not authorized', type: 'ForbiddenException', code: 403 } }, kinds: ['notification'] });
  await observe(mirror, 'f');
  await mirror.createDispatcher().runUntilSettled();
  const row = (await rowOf(mirror, 'ns.f'))!;
  expect(row).toMatchObject({ status: 'failed' });
  return row;
}

describe.each(ENGINE_CASES)('on $storage storage, $ledger ledger', ({ storage, ledger }) => {
  beforeEach(async () => {
    h = await startHarness({ storage, ledger });
    // Other tables, so that the directory is validated and no pass is a mass drop.
    for (const name of ['a', 'b', 'c', 'd', 'e']) await h.writeTable(['ns'], name);
    await syncWith(h);
  });
  afterEach(async () => {
    await h.close();
  });

  it('a CREATE whose metadata file went before Polaris read it: the source is read again and its absence goes next, nothing failed', async () => {
    await h.writeTable(['ns'], 'f');
    const mirror = openMirror(h);
    try {
      await observe(mirror, 'f');
      await h.dropTable(['ns'], 'f'); // dropped (with its files) before the CREATE reaches Polaris
      await mirror.createDispatcher().runUntilSettled();

      // Polaris was asked and could not find the file (404 on FILE storage, 400 on object storage)...
      const creates = h.emulator.history(CATALOG, ['ns'], 'f').filter((e) => e.type === 'CREATE');
      expect(creates.map((e) => e.status)).toEqual([storage === 's3' ? 400 : 404]);
      // ...and the table is not failed: the source said it is gone, and nothing is left to do.
      expect(await rowOf(mirror, 'ns.f')).toMatchObject({ status: 'in_sync', desired: { state: 'absent' }, applied: { state: 'absent' } });
      expect(h.polarisState().has('ns.f')).toBe(false);
    } finally {
      await mirror.close();
    }
  });

  it('a failed table re-created in place (same metadata location, a new table UUID) is due at once, not after the failed-table delay', async () => {
    const location = await h.writeTable(['ns'], 'f');
    const written = JSON.parse(await readFile(h.pathOf(location), 'utf8')) as Record<string, unknown>;
    const mirror = openMirror(h);
    try {
      // Refused for good the first time: the table is failed and waits the failed-table delay (15 s or more).
      // Compared with a moment before the attempt: a slow machine between the record and this line cannot fail it.
      const beforeAttempt = Date.now();
      const failed = await failedOnce(mirror);
      expect(failed.nextAttemptAt).toBeGreaterThan(beforeAttempt + 10_000);

      // Dropped and created again under the same name, writing the same file name: another table.
      await h.dropTable(['ns'], 'f');
      const uuid = randomUUID();
      await h.writeObject(location, JSON.stringify({ ...written, 'table-uuid': uuid }));
      await observe(mirror, 'f');
      const due = (await rowOf(mirror, 'ns.f'))!;
      expect(due).toMatchObject({ status: 'pending', attempts: 0, desired: { state: 'present', metadataLocation: location, tableUuid: uuid } });
      expect(due.nextAttemptAt).toBeLessThanOrEqual(Date.now());

      await mirror.createDispatcher().runUntilSettled();
      expect(await rowOf(mirror, 'ns.f')).toMatchObject({ status: 'in_sync', applied: { state: 'present', metadataLocation: location } });
      expect(h.polarisState().get('ns.f')).toBe(location);
    } finally {
      await mirror.close();
    }
  });

  it('the same table seen again at the same location (same UUID) stays failed: a failure is not retried on every pass', async () => {
    await h.writeTable(['ns'], 'f');
    const mirror = openMirror(h);
    try {
      const failed = await failedOnce(mirror);
      await observe(mirror, 'f');
      expect(await rowOf(mirror, 'ns.f')).toMatchObject({ status: 'failed', nextAttemptAt: failed.nextAttemptAt, attempts: failed.attempts });
    } finally {
      await mirror.close();
    }
  });
});
