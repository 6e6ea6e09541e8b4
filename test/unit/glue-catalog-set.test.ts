// The catalogs a Glue source mirrors and the names of their tables, without AWS: one catalog keeps
// database.table, several put the catalog level first, a name leads back to its catalog, events are
// routed to the exact account first, and a discovery that finds nothing fails rather than empties.
import type { GlueClient } from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import { CatalogSet } from '../../adapters/glue/catalog-set.js';
import type { GlueSourceConfig } from '../../adapters/glue/config.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { MirrorError } from '../../src/util/errors.js';
import { glueSourceConfig } from './support.js';

const config = (extra: Partial<GlueSourceConfig>): GlueSourceConfig => glueSourceConfig({ name: 'g', ...extra });

/** A Glue client that answers GetCatalogs with `list` and fails the test on anything else. */
const glue = (list: { CatalogId: string }[] = []) =>
  ({
    send: async (command: { constructor: { name: string } }) => {
      if (command.constructor.name !== 'GetCatalogsCommand') throw new Error(`unexpected ${command.constructor.name}`);
      return { CatalogList: list };
    },
  }) as unknown as GlueClient;

const signal = new AbortController().signal;
const set = (extra: Partial<GlueSourceConfig>, client = glue()) => new CatalogSet(config(extra), client, silentLogger());

describe('CatalogSet', () => {
  it('one catalog: database.table, as always', async () => {
    const [only] = await set({}).forScan(signal);
    expect(CatalogSet.tableName(only!, 'sales', 'orders')).toEqual({ namespace: ['sales'], name: 'orders' });
    expect(await set({}).locate({ namespace: ['sales'], name: 'orders' }, signal)).toMatchObject({ database: 'sales', catalog: { id: undefined } });
    const [bucket] = await set({ catalogs: ['123456789012:s3tablescatalog/a'] }).forScan(signal);
    expect(CatalogSet.tableName(bucket!, 'db', 't')).toEqual({ namespace: ['db'], name: 't' });
  });

  it('several: the level first, mapped or derived; names lead back to their catalog', async () => {
    const catalogs = set({ catalogs: ['123456789012', '123456789012:s3tablescatalog/a'], catalogNamespaces: { '123456789012': '' } });
    const [root, bucket] = await catalogs.forScan(signal);
    expect(CatalogSet.tableName(root!, 'sales', 'orders').namespace).toEqual(['sales']);
    expect(CatalogSet.tableName(bucket!, 'db', 't').namespace).toEqual(['s3tablescatalog_a', 'db']);
    expect(await catalogs.locate({ namespace: ['s3tablescatalog_a', 'db'], name: 't' }, signal)).toMatchObject({ database: 'db', catalog: { id: '123456789012:s3tablescatalog/a' } });
    expect(await catalogs.locate({ namespace: ['sales'], name: 'orders' }, signal)).toMatchObject({ database: 'sales', catalog: { id: '123456789012' } });
    await expect(catalogs.locate({ namespace: ['gone', 'db'], name: 't' }, signal)).rejects.toMatchObject({ retryable: false, hint: expect.stringContaining('no mirrored catalog has the namespace level "gone"') });
  });

  it('routes an event to the catalog of its exact account before one written without an account', async () => {
    const catalogs = set({ catalogs: ['s3tablescatalog/a', '210987654321:s3tablescatalog/a'], catalogNamespaces: { '210987654321:s3tablescatalog/a': 'other_a' } });
    expect((await catalogs.route({ account: '210987654321', path: 's3tablescatalog/a' }, signal))?.level).toBe('other_a');
    expect((await catalogs.route({ account: '123456789012', path: 's3tablescatalog/a' }, signal))?.level).toBe('s3tablescatalog_a');
    expect(await catalogs.route({ account: '123456789012', path: 's3tablescatalog/b' }, signal)).toBeUndefined();
  });

  it('discovery that finds no catalog fails the scan instead of making every table look gone', async () => {
    await expect(set({ discoverCatalogs: true }).forScan(signal)).rejects.toBeInstanceOf(MirrorError);
    const found = await set({ discoverCatalogs: true }, glue([{ CatalogId: '123456789012' }, { CatalogId: '123456789012:s3tablescatalog' }, { CatalogId: '123456789012:s3tablescatalog/a' }])).forScan(signal);
    expect(found.map((c) => [c.id, c.level])).toEqual([
      ['123456789012', '123456789012'],
      ['123456789012:s3tablescatalog/a', 's3tablescatalog_a'],
    ]);
  });

  it('discovery refuses catalogs whose levels clash, asking for a mapping', async () => {
    const clashing = glue([{ CatalogId: '123456789012:s3tablescatalog/a' }, { CatalogId: '123456789012:s3tablescatalog_a' }]);
    await expect(set({ discoverCatalogs: true }, clashing).forScan(signal)).rejects.toMatchObject({ message: expect.stringMatching(/cannot be named apart: .*would both be the namespace level "s3tablescatalog_a"/), hint: 'map them in catalogNamespaces' });
  });
});
