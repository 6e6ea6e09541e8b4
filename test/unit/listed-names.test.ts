// A namespace's listed names, kept for the target check's merge: in memory while few, on disk beyond,
// read back once each in the ledger's byte order either way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListedNames } from '../../src/engine/listed-names.js';
import { compareBytewise } from '../../src/engine/sorted-merge.js';
import { listNamespaceTables, listTargetNamespaces, TARGET_LISTING_LIMITS } from '../../src/polaris/target-listing.js';
import { ResponseTooLargeError } from '../../src/polaris/http.js';
import type { PolarisClient } from '../../src/polaris/polaris-client.js';

/** Names with what orders differently in UTF-16 and in UTF-8 bytes: accents, U+E000 and above, astral characters. */
const awkward = ['b', 'a', 'é', 'z', '\u{E000}x', '😀', 'ﬀ', 'A', 'a b', 'ab', '\u{1F600}a', 'Z'];

function sortedOf(listed: ListedNames): string[] {
  return [...listed.sorted()];
}

describe('ListedNames', () => {
  it('in memory: every name once, in byte order', () => {
    const listed = new ListedNames(100);
    listed.add(awkward);
    listed.add(['a', 'é']);
    expect(listed.onDisk).toBe(false);
    expect(listed.size).toBe(awkward.length);
    expect(sortedOf(listed)).toEqual([...awkward].sort(compareBytewise));
    listed.close();
  });

  it('on disk past its bound: the same names in the same order, duplicates across the move included', () => {
    const listed = new ListedNames(5);
    listed.add(awkward.slice(0, 4));
    expect(listed.onDisk).toBe(false);
    listed.add(awkward.slice(4, 8));
    expect(listed.onDisk).toBe(true);
    listed.add([...awkward.slice(8), 'a', 'é', '😀']);
    expect(listed.size).toBe(awkward.length);
    expect(sortedOf(listed)).toEqual([...awkward].sort(compareBytewise));
    listed.close();
  });

  it('reads back more names than one read returns, in order, once each', () => {
    const listed = new ListedNames(10);
    const names = Array.from({ length: 2_345 }, (_, i) => `t${(i * 7919) % 2_345}`);
    for (let i = 0; i < names.length; i += 100) listed.add(names.slice(i, i + 100));
    expect(sortedOf(listed)).toEqual([...new Set(names)].sort(compareBytewise));
  });

  it('any names, any bound: the order of the ledger (compareBytewise), each once', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'grapheme', maxLength: 4 }), { maxLength: 8 }), { maxLength: 8 }), fc.integer({ min: 1, max: 12 }), (pages, bound) => {
        const listed = new ListedNames(bound);
        for (const page of pages) listed.add(page);
        const expected = [...new Set(pages.flat())].sort(compareBytewise);
        expect(sortedOf(listed)).toEqual(expected);
        listed.close();
      }),
      { numRuns: 200 },
    );
  });
});

/** A Polaris answering listing pages from `answer`, recording the paths asked. */
function scriptedClient(answer: (path: string) => { identifiers: Array<{ namespace: string[]; name: string }>; 'next-page-token'?: string }) {
  const asked: string[] = [];
  const client = {
    listPage: async (_catalog: string, path: string) => {
      asked.push(path);
      return { status: 200, headers: {}, body: answer(path) };
    },
  } as unknown as PolarisClient;
  return { client, asked };
}

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ namespace: ['big'], name: `t${from + i}` }));
const RETRY = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 };

describe('listing a namespace a page at a time', () => {
  it('follows next-page-token, asking pageSize each time, and hands each page on', async () => {
    const { client, asked } = scriptedClient((path) => {
      const token = new URL(path, 'http://x').searchParams.get('pageToken');
      return token === null ? { identifiers: ids(0, 1000), 'next-page-token': 'p2' } : { identifiers: ids(1000, 234) };
    });
    const pages: number[] = [];
    expect(await listNamespaceTables(client, 'lake_mirror', ['big'], RETRY, (names) => void pages.push(names.length))).toEqual({ complete: true });
    expect(pages).toEqual([1000, 234]);
    expect(asked).toEqual(['/namespaces/big/tables?pageSize=1000', '/namespaces/big/tables?pageSize=1000&pageToken=p2']);
  });

  it('a full first page with no next-page-token: asked again without pageSize, so a server that only cut it short loses nothing', async () => {
    const { client, asked } = scriptedClient((path) => ({ identifiers: path.includes('pageSize') ? ids(0, 1000) : ids(0, 1500) }));
    const names: string[] = [];
    expect(await listNamespaceTables(client, 'lake_mirror', ['big'], RETRY, (page) => void names.push(...page))).toEqual({ complete: true });
    expect(names).toHaveLength(1500);
    expect(asked).toEqual(['/namespaces/big/tables?pageSize=1000', '/namespaces/big/tables']);
  });

  it('more than a page with no token (a server that does not page, as Polaris by default): taken as it is, asked once', async () => {
    const { client, asked } = scriptedClient(() => ({ identifiers: ids(0, 2500) }));
    const names: string[] = [];
    expect(await listNamespaceTables(client, 'lake_mirror', ['big'], RETRY, (page) => void names.push(...page))).toEqual({ complete: true });
    expect(names).toHaveLength(2500);
    expect(asked).toEqual(['/namespaces/big/tables?pageSize=1000']);
  });

  it('a short page with no token is the whole namespace: asked once', async () => {
    const { client, asked } = scriptedClient(() => ({ identifiers: ids(0, 999) }));
    expect(await listNamespaceTables(client, 'lake_mirror', ['big'], RETRY, () => undefined)).toEqual({ complete: true });
    expect(asked).toHaveLength(1);
  });
});

describe('listing a namespace Polaris answers whole', () => {
  it('an answer of 150,000 items is taken in, not spread as arguments (which overflowed the stack)', async () => {
    const top = Array.from({ length: 150_000 }, (_, i) => [`ns${i}`]);
    const client = {
      listPage: async (_catalog: string, path: string) => ({ status: 200, headers: {}, body: { namespaces: path.includes('parent=') ? [] : top } }),
    } as unknown as PolarisClient;
    // Each namespace's children are a page of their own: the listing stops at one of its bounds, and for no other reason.
    const result = await listTargetNamespaces(client, 'lake_mirror', [], RETRY);
    expect(result).toEqual({ complete: false, reason: expect.stringMatching(new RegExp(`^more than (${TARGET_LISTING_LIMITS.namespaces} namespaces|${TARGET_LISTING_LIMITS.pages} listing pages)$`)) });
  });

  it('an answer over the page limit: the check stops with what to turn on in Polaris', async () => {
    const client = {
      listPage: async () => {
        throw new ResponseTooLargeError(16 * 1024 * 1024, 'GET /v1/lake_mirror/namespaces/big/tables: the answer is larger than 16777216 bytes, the limit for this call');
      },
    } as unknown as PolarisClient;
    const result = await listNamespaceTables(client, 'lake_mirror', ['big'], { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, () => undefined);
    expect(result).toEqual({
      complete: false,
      reason:
        'GET /v1/lake_mirror/namespaces/big/tables: the answer is larger than 16777216 bytes, the limit for this call: Polaris listed namespace "big" in one answer; turn on its paged listings (polaris.features."LIST_PAGINATION_ENABLED"=true) so that it answers 1000 at a time',
    });
  });
});
