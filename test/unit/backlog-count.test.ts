// sync's progress line reads its backlog (a count over every row not in sync) at most 5% of the time:
// a new read waits 20 times the last read's duration, never overlaps one in flight, and a failed read
// keeps the last count. The clock is the test's own, so nothing here depends on the machine's speed.
import { setImmediate as flushed } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BacklogCount } from '../../src/cli/backlog-count.js';

describe('BacklogCount', () => {
  it('reads again only after 20 times the last read took, and shows the last count meanwhile', async () => {
    let clock = 0;
    let reads = 0;
    // Each read "takes" 100 ms of the test's clock.
    const count = new BacklogCount(async () => {
      clock += 100;
      return ++reads * 10;
    }, () => clock);

    expect(count.current()).toBe(0);
    await flushed();
    expect(reads).toBe(1);
    expect(count.current()).toBe(10);

    clock = 100 + 1_999; // just short of 20 × 100 ms after the read ended
    expect(count.current()).toBe(10);
    await flushed();
    expect(reads).toBe(1);

    clock = 100 + 2_000;
    count.current();
    await flushed();
    expect(reads).toBe(2);
    expect(count.current()).toBe(20);
  });

  it('a quick read is repeated at every redraw', async () => {
    let clock = 0;
    let reads = 0;
    const count = new BacklogCount(async () => ++reads, () => clock);
    for (let redraw = 0; redraw < 5; redraw++) {
      count.current();
      await flushed();
      clock += 250;
    }
    expect(reads).toBe(5);
  });

  it('never starts a read while one is running; a failed read keeps the last count', async () => {
    let clock = 0;
    let release: ((n: number) => void) | undefined;
    let fail = false;
    let reads = 0;
    const count = new BacklogCount(() => {
      reads++;
      if (fail) return Promise.reject(new Error('the ledger is busy'));
      return new Promise<number>((resolve) => (release = resolve));
    }, () => clock);

    count.current();
    clock += 10_000;
    count.current();
    await flushed();
    expect(reads).toBe(1);

    release!(7);
    await flushed();
    expect(count.current()).toBe(7);

    fail = true;
    clock += 1_000_000;
    count.current();
    await flushed();
    expect(reads).toBe(2);
    expect(count.current()).toBe(7);
  });
});
