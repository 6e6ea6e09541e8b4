// The target check lists a namespace a page at a time when Polaris pages its listings (its
// LIST_PAGINATION_ENABLED feature): lost tables and orphans are found across page ends, and the names
// are asked `pageSize` at a time rather than in one answer of the whole namespace.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LISTING_PAGE_SIZE } from '../../src/polaris/target-listing.js';
import { syncWith } from '../support/engine.js';
import { CATALOG, CLIENT_ID, startHarness, type Harness } from '../support/harness.js';
import { notifyDirectly } from '../support/polaris-notify.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const TABLES = 2 * LISTING_PAGE_SIZE + 300;
const names = Array.from({ length: TABLES }, (_, i) => `t${String(i).padStart(4, '0')}`);

/** The listing requests of namespace "big" the emulator has answered so far. */
const bigListings = () => h.emulator.requests().filter((r) => r.kind === 'list' && r.path.endsWith('/namespaces/big/tables')).length;

describe('a target check of a namespace larger than a listing page', () => {
  beforeEach(async () => {
    h = await startHarness({ emulator: { listPagination: true } });
    for (let i = 0; i < names.length; i += 100) await Promise.all(names.slice(i, i + 100).map((name) => h.writeTable(['big'], name)));
    expect((await syncWith(h)).summary).toMatchObject({ converged: true, created: TABLES });
  }, 240_000);

  it('reads it page by page, and finds the lost tables and the orphans on every page', async () => {
    // Behind the mirror's back: three tables dropped (one per page), two added (the first and the last page).
    const lost = [names[5]!, names[LISTING_PAGE_SIZE + 7]!, names[TABLES - 1]!];
    for (const name of lost) {
      const location = h.polarisState().get(`big.${name}`)!;
      expect(await notifyDirectly(h.emulator, { catalog: CATALOG, namespace: ['big'], name, type: 'DROP', timestamp: 1_000_000, location, clientId: CLIENT_ID })).toBe(204);
    }
    for (const name of ['a_stray', 'zz_stray']) {
      const location = await h.writeTable(['big'], name);
      expect(await notifyDirectly(h.emulator, { catalog: CATALOG, namespace: ['big'], name, type: 'CREATE', timestamp: 1, location, clientId: CLIENT_ID })).toBe(204);
    }
    // The strays are not the source's: keep them out of its listing.
    await h.writeConfig((c) => (c.sources[0].exclude = ['big.*_stray']));

    const before = bigListings();
    const { summary } = await syncWith(h);
    // 2,302 names at 1,000 a page: three pages (the first sync's check read its own three).
    expect(bigListings() - before).toBe(3);
    expect(summary.targets).toEqual([
      expect.objectContaining({
        complete: true,
        refilled: lost.map((name) => `${CATALOG}.big.${name}`),
        refilledCount: 3,
        orphanCount: 2,
        orphans: [`${CATALOG}.big.a_stray`, `${CATALOG}.big.zz_stray`],
      }),
    ]);
    for (const name of lost) expect(h.polarisState().has(`big.${name}`)).toBe(true);
  }, 240_000);
});
