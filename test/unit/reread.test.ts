import { describe, expect, it } from 'vitest';
import { rereadFromSources, REREADS_AT_ONCE } from '../../src/cli/reread.js';
import type { Mirror } from '../../src/engine/mirror.js';
import type { MirrorRow } from '../../src/ledger/rows.js';
import type { SourceTable } from '../../src/model/table.js';

type Rereads = Pick<Mirror, 'ledger' | 'sources'>;

/**
 * A source whose reads are answered only once REREADS_AT_ONCE of them wait (or every read left has
 * started): a re-read that went one table at a time would never be answered, and the test would time out.
 */
function heldSource(expectedReads: number, failing: ReadonlySet<string>) {
  const waiting: Array<() => void> = [];
  const stats = { started: 0, inFlight: 0, mostAtOnce: 0, committed: [] as string[] };
  const releaseWhenFull = () => {
    if (waiting.length === REREADS_AT_ONCE || stats.started === expectedReads) for (const release of waiting.splice(0)) release();
  };
  const adapter = {
    name: 'lake',
    type: 'glue',
    read: async (table: SourceTable) => {
      stats.started += 1;
      stats.inFlight += 1;
      stats.mostAtOnce = Math.max(stats.mostAtOnce, stats.inFlight);
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        releaseWhenFull();
      });
      stats.inFlight -= 1;
      if (failing.has(table.name)) throw new Error('AccessDeniedException: glue:GetTable');
      return { table, state: 'present', metadataLocation: `s3://lake/db/${table.name}/metadata/1.json`, order: 1, sourceTimeMs: 1 };
    },
  };
  const sink = { commit: async (observations: Array<{ table: SourceTable }>) => void stats.committed.push(...observations.map((o) => o.table.name)) };
  return { runtime: { adapter, sink }, stats };
}

function mirrorOf(ids: readonly number[], runtime: unknown, missing: ReadonlySet<number>): Rereads {
  const rows = new Map(ids.map((id) => [id, { id, source: 'lake', table: { namespace: ['db'], name: `t${id}` } } as unknown as MirrorRow]));
  return {
    ledger: { get: async (id: number) => (missing.has(id) ? undefined : rows.get(id)) },
    sources: new Map([['lake', runtime]]),
  } as unknown as Rereads;
}

describe('re-reading tables before a retry', () => {
  it(`reads ${REREADS_AT_ONCE} tables at once, never more; a table that cannot be read keeps its state and says so`, async () => {
    const ids = Array.from({ length: 50 }, (_, i) => i + 1);
    const missing = new Set([5]); // forgotten by the ledger meanwhile: nothing to read
    const { runtime, stats } = heldSource(ids.length - missing.size, new Set(['t7', 't30']));
    const printed: string[] = [];
    await rereadFromSources(mirrorOf(ids, runtime, missing), ids, (text) => printed.push(text));

    expect(stats.mostAtOnce).toBe(REREADS_AT_ONCE);
    expect(stats.started).toBe(49);
    expect(stats.committed.sort()).toEqual(ids.filter((id) => ![5, 7, 30].includes(id)).map((id) => `t${id}`).sort());
    expect(printed.sort()).toEqual([
      'could not re-read lake: db.t30 (AccessDeniedException: glue:GetTable); its stored state is kept',
      'could not re-read lake: db.t7 (AccessDeniedException: glue:GetTable); its stored state is kept',
    ]);
  }, 30_000); // a re-read one table at a time hangs here: fail in 30 s rather than the suite's 3 minutes

  it('a ledger error ends the re-reads with that error', async () => {
    const { runtime } = heldSource(1, new Set());
    const mirror = mirrorOf([1], runtime, new Set());
    const broken = { ...mirror, ledger: { get: async () => Promise.reject(new Error('the ledger is unavailable')) } } as unknown as Rereads;
    await expect(rereadFromSources(broken, [1, 2], () => undefined)).rejects.toThrow('the ledger is unavailable');
  });
});
