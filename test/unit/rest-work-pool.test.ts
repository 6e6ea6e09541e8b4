// The listing's task pool: completion only when every spawned task (and what it spawned) finished,
// the first failure stops everything, gated table pages keep the queued loads bounded, and a
// namespace's next page goes ahead of namespaces not begun.
import { describe, expect, it } from 'vitest';
import { WorkPool } from '../../adapters/rest/work-pool.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

function pool(options: { concurrency: number; backlog: number }) {
  const events: string[] = [];
  let resolveEnd!: () => void;
  const ended = new Promise<void>((r) => (resolveEnd = r));
  const p = new WorkPool({
    ...options,
    signal: new AbortController().signal,
    onDone: () => {
      events.push('done');
      resolveEnd();
    },
    onFailed: (error) => {
      events.push(`failed: ${(error as Error).message}`);
      resolveEnd();
    },
  });
  return { p, events, ended };
}

describe('WorkPool', () => {
  it('is done once every task and every task they spawned has finished', async () => {
    const { p, events, ended } = pool({ concurrency: 3, backlog: 100 });
    let ran = 0;
    const tree = (depth: number) => async () => {
      await tick();
      ran++;
      if (depth < 3) for (let i = 0; i < 3; i++) p.spawn(tree(depth + 1), { gated: depth % 2 === 0 });
    };
    p.spawn(tree(0));
    await ended;
    expect([ran, events]).toEqual([1 + 3 + 9 + 27, ['done']]);
  });

  it('gated tasks start only while the backlog is short: queued work stays bounded', async () => {
    const { p, events, ended } = pool({ concurrency: 2, backlog: 10 });
    let waiting = 0;
    let maxWaiting = 0;
    const load = async () => {
      waiting--;
      await tick();
    };
    for (let page = 0; page < 50; page++) {
      p.spawn(
        async () => {
          await tick();
          for (let i = 0; i < 20; i++) {
            waiting++;
            maxWaiting = Math.max(maxWaiting, waiting);
            p.spawn(load);
          }
        },
        { gated: true },
      );
    }
    await ended;
    expect(events).toEqual(['done']);
    expect(waiting).toBe(0);
    // backlog + one page of loads per gated task allowed at once (concurrency), never all 1,000.
    expect(maxWaiting).toBeLessThanOrEqual(10 + 2 * 20);
  });

  it('a gated task spawned ahead starts before the gated tasks waiting: one chain of pages ends before the next begins', async () => {
    const { p, events, ended } = pool({ concurrency: 1, backlog: 100 });
    const started: string[] = [];
    const page = (chain: string, n: number) => async () => {
      started.push(`${chain}${n}`);
      await tick();
      if (n < 3) p.spawn(page(chain, n + 1), { gated: true, ahead: true });
    };
    for (const chain of ['a', 'b', 'c']) p.spawn(page(chain, 1), { gated: true });
    await ended;
    expect([started, events]).toEqual([['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'c1', 'c2', 'c3'], ['done']]);
  });

  it('the first failure is reported once; nothing more runs and it is never done', async () => {
    const { p, events, ended } = pool({ concurrency: 1, backlog: 100 });
    let ran = 0;
    p.spawn(async () => {
      throw new Error('boom');
    });
    for (let i = 0; i < 5; i++) p.spawn(async () => void ran++);
    await ended;
    await tick();
    p.spawn(async () => void ran++);
    await tick();
    expect([events, ran]).toEqual([['failed: boom'], 0]);
  });
});
