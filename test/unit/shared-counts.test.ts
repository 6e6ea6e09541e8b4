import { describe, expect, it } from 'vitest';
import type { SourceCounts } from '../../src/ledger/ledger.js';
import { COSTLY_WALK_MS, MAX_REUSE_MS, REUSE_FACTOR, SharedCounts } from '../../src/ledger/shared-counts.js';

/** A ledger walk whose CPU cost and result the test sets, on a clock the test moves. */
function fakeLedger(costMs: number) {
  const meters = { now: 0, cpu: 0 };
  const ledger = {
    walks: 0,
    costMs,
    pending: 0,
    fail: false,
    walk: async (): Promise<SourceCounts[]> => {
      ledger.walks++;
      meters.cpu += ledger.costMs;
      meters.now += ledger.costMs;
      if (ledger.fail) throw new Error('the ledger cannot be read');
      return [{ source: 'src', inSync: 0, pending: ledger.pending, failed: 0, due: 0 }];
    },
  };
  const counts = new SharedCounts(ledger.walk, { clockMs: () => meters.now, cpuMs: () => meters.cpu });
  return { ledger, meters, counts };
}

const pendingOf = async (counts: SharedCounts) => (await counts.read())[0]!.pending;

describe('SharedCounts', () => {
  it('counts a cheap ledger afresh at every read, however close together', async () => {
    const { ledger, counts } = fakeLedger(COSTLY_WALK_MS - 1);
    ledger.pending = 1;
    expect(await pendingOf(counts)).toBe(1);
    ledger.pending = 2;
    expect(await pendingOf(counts)).toBe(2);
    expect(ledger.walks).toBe(2);
  });

  it('reuses a costly walk for REUSE_FACTOR times its CPU, then walks again', async () => {
    const cost = 500;
    const { ledger, meters, counts } = fakeLedger(cost);
    ledger.pending = 1;
    expect(await pendingOf(counts)).toBe(1);
    ledger.pending = 2;
    meters.now += REUSE_FACTOR * cost - 1;
    expect(await pendingOf(counts)).toBe(1);
    expect(ledger.walks).toBe(1);
    meters.now += 1;
    expect(await pendingOf(counts)).toBe(2);
    expect(ledger.walks).toBe(2);
  });

  it('keeps the walks to a twentieth of the CPU when read every half second', async () => {
    const { ledger, meters, counts } = fakeLedger(500);
    for (let scrape = 0; scrape < 200; scrape++) {
      await counts.read();
      meters.now += 500;
    }
    // 100 s of scrapes (plus the walks' own time): without reuse 200 walks, 100 s of CPU.
    expect(meters.cpu / meters.now).toBeLessThanOrEqual(1 / REUSE_FACTOR);
    expect(ledger.walks).toBeGreaterThan(1);
  });

  it('reuses no walk longer than MAX_REUSE_MS, however costly', async () => {
    const { ledger, meters, counts } = fakeLedger(MAX_REUSE_MS);
    await counts.read();
    meters.now += MAX_REUSE_MS;
    await counts.read();
    expect(ledger.walks).toBe(2);
  });

  it('lets readers that ask during a walk share it', async () => {
    const { ledger, counts } = fakeLedger(1);
    ledger.pending = 7;
    const [a, b, c] = await Promise.all([counts.read(), counts.read(), counts.read()]);
    expect(ledger.walks).toBe(1);
    expect([a, b, c].map((x) => x[0]!.pending)).toEqual([7, 7, 7]);
    await counts.read();
    expect(ledger.walks).toBe(2);
  });

  it('keeps no failed walk: every sharer gets its error, and the next read walks again', async () => {
    const { ledger, counts } = fakeLedger(500);
    ledger.fail = true;
    const reads = [counts.read(), counts.read()];
    for (const read of reads) await expect(read).rejects.toThrow('the ledger cannot be read');
    ledger.fail = false;
    ledger.pending = 3;
    expect(await pendingOf(counts)).toBe(3);
    expect(ledger.walks).toBe(2);
  });
});
