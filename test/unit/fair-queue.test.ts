// FairQueue: bounded concurrency with turns by key, so one key's thousands of tasks do not starve another's one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FairQueue } from '../../src/util/fair-queue.js';

describe('FairQueue', () => {
  it("a key's single task starts at the next free slot, not after another key's backlog", async () => {
    const queue = new FairQueue(2);
    const started: string[] = [];
    const release: Array<() => void> = [];
    const task = (name: string) => () =>
      new Promise<void>((resolve) => {
        started.push(name);
        release.push(resolve);
      });
    const big = Array.from({ length: 100 }, (_, i) => queue.run('big', task(`big-${i}`)));
    const small = queue.run('small', task('small'));
    expect(started).toEqual(['big-0', 'big-1']);
    release.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['big-0', 'big-1', 'small']);
    while (release.length > 0) {
      release.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all([...big, small]);
    expect(started).toHaveLength(101);
    expect(queue.pending).toBe(0);
  });

  it('property: never more than `concurrency` running; every task runs once, in order within its key; results and errors pass through', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.boolean()), { maxLength: 30 }), async (concurrency, tasks) => {
        const queue = new FairQueue(concurrency);
        let running = 0;
        let peak = 0;
        const order: Record<string, number[]> = {};
        const results = await Promise.allSettled(
          tasks.map(([key, fails], i) =>
            queue.run(key, async () => {
              running++;
              peak = Math.max(peak, running);
              (order[key] ??= []).push(i);
              await new Promise((r) => setImmediate(r));
              running--;
              if (fails) throw new Error(`task ${i}`);
              return i;
            }),
          ),
        );
        expect(peak).toBeLessThanOrEqual(concurrency);
        results.forEach((result, i) => expect(result).toEqual(tasks[i]![1] ? { status: 'rejected', reason: new Error(`task ${i}`) } : { status: 'fulfilled', value: i }));
        for (const indices of Object.values(order)) expect(indices).toEqual([...indices].sort((x, y) => x - y));
      }),
      { numRuns: 200 },
    );
  });
});
