// A pass's batch is committed in the turn it was written, not after the wait relaxed writes take for
// company: the pass waits on it, and an event's durable write arriving during that wait would have
// shared the batch's transaction. The wait itself is a timer, faked here, so the test needs no clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.js';
import { present } from './support.js';

let dir: string;
let ledger: SqliteLedger;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mirror-pass-batch-'));
  ledger = SqliteLedger.open(join(dir, 'state.db'));
  // Only setTimeout is faked: the relaxed writes' wait for company never ends on its own, while the
  // end of the turn (setImmediate) still comes.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});

afterEach(async () => {
  // A write still waiting for its faked timer (a failed expectation) must not keep close() waiting.
  await vi.runOnlyPendingTimersAsync();
  vi.useRealTimers();
  await ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

const table = (name: string) => ({ namespace: ['db'], name });

/** Lets `n` turns of the event loop pass (setImmediate is not faked). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('a pass batch on the SQLite ledger', () => {
  it('commits in its own turn, without the relaxed writes\' wait', async () => {
    const stamp = 2_000_000_000_000;
    let done = false;
    const committed = ledger
      .commit({
        observations: [present('s3://lake/db/a/metadata/1.json', { order: 1, name: 'a' })],
        source: 'src',
        seen: { source: 'src', tables: [table('a')], stamp },
      })
      .finally(() => (done = true));
    await turns(2);
    expect(done).toBe(true);
    // (Were it waiting for the timer, the test would end here; let it go so that nothing hangs.)
    await vi.runOnlyPendingTimersAsync();
    expect(await committed).toEqual(['accepted']);
    expect(await ledger.unseenCounts('src', stamp)).toEqual({ mirrored: 1, unseen: 0 });
  });

  it('while another relaxed write (stamps alone) waits for company until its timer fires', async () => {
    await ledger.commit({ observations: [present('s3://lake/db/b/metadata/1.json', { order: 1, name: 'b' })] });
    let done = false;
    const marked = ledger.markSeen('src', [table('b')], 2_000_000_000_000).then(() => (done = true));
    await turns(2);
    expect(done).toBe(false);
    await vi.runOnlyPendingTimersAsync();
    await marked;
    expect(done).toBe(true);
  });
});
