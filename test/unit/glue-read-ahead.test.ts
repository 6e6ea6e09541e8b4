// The Glue scan reads the next GetTables page while the current one is stored: every page is handed
// over once and in order, a failed page fails the listing where it would have been consumed, and a
// consumer that stops early leaves no unhandled rejection behind.
import { describe, expect, it } from 'vitest';
import { readAhead, type FetchedPage } from '../../adapters/glue/read-ahead-pages.js';

/** A listing of `count` pages named p0…; `fail` makes that page's request reject. */
function listing(count: number, fail?: number) {
  const requested: Array<string | undefined> = [];
  const fetch = async (token: string | undefined): Promise<FetchedPage<string>> => {
    requested.push(token);
    const n = token === undefined ? 0 : Number(token.slice(1));
    if (n === fail) throw new Error(`page ${n} failed`);
    return { page: `p${n}`, nextToken: n + 1 < count ? `t${n + 1}` : undefined };
  };
  return { fetch, requested };
}

describe('readAhead', () => {
  it('hands over every page once, in order', async () => {
    const { fetch } = listing(4);
    const pages: string[] = [];
    for await (const page of readAhead(fetch)) pages.push(page);
    expect(pages).toEqual(['p0', 'p1', 'p2', 'p3']);
  });

  it('has asked for the next page before the current one is consumed', async () => {
    const { fetch, requested } = listing(3);
    const seenWhenConsuming: number[] = [];
    for await (const page of readAhead(fetch)) {
      void page;
      seenWhenConsuming.push(requested.length);
    }
    expect(seenWhenConsuming).toEqual([2, 3, 3]);
  });

  it('a failed page is thrown where it would have been consumed, after the pages before it', async () => {
    const { fetch } = listing(4, 2);
    const pages: string[] = [];
    await expect(
      (async () => {
        for await (const page of readAhead(fetch)) pages.push(page);
      })(),
    ).rejects.toThrow('page 2 failed');
    expect(pages).toEqual(['p0', 'p1']);
  });

  it('a consumer that stops before a failed page read ahead sees no error and leaves none unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { fetch, requested } = listing(4, 1);
      for await (const page of readAhead(fetch)) {
        expect(page).toBe('p0');
        break;
      }
      expect(requested).toEqual([undefined, 't1']);
      // Long enough for Node to report an unhandled rejection of the abandoned page, were there one.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('stops on a token repeated by the service instead of looping', async () => {
    let calls = 0;
    const fetch = async (): Promise<FetchedPage<number>> => ({ page: ++calls, nextToken: 'same' });
    const pages: number[] = [];
    for await (const page of readAhead(fetch)) pages.push(page);
    expect(pages).toEqual([1, 2]);
  });
});
