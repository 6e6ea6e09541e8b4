import { GetCatalogsCommand, type GlueClient } from '@aws-sdk/client-glue';
import { MirrorError } from '../../src/util/errors.js';
import { callSignal } from './call-signal.js';
import { listedCatalogRef, type CatalogRef } from './catalog-ids.js';
import { sourceError } from './glue-errors.js';

/** GetCatalogs answers at most 1000 per page; pages read at most, so a looping NextToken cannot hang a scan. */
const MAX_PAGES = 100;

/**
 * Every catalog that can hold databases, found with GetCatalogs (Recursive, IncludeRoot: the
 * account's default catalog too). Containers — catalogs that only hold other catalogs, such as
 * s3tablescatalog above the S3 Tables buckets — are left out: a listed catalog with a child in the
 * listing is one (the default catalog excepted, which holds databases and the top-level catalogs).
 */
export async function discoverCatalogs(glue: GlueClient, signal: AbortSignal): Promise<CatalogRef[]> {
  const found: CatalogRef[] = [];
  let token: string | undefined;
  let pages = 0;
  try {
    do {
      if (++pages > MAX_PAGES) throw new MirrorError(`Glue GetCatalogs returned more than ${MAX_PAGES} pages`, { retryable: true, hint: 'list the catalogs to mirror in catalogs instead' });
      const page = await glue.send(new GetCatalogsCommand({ Recursive: true, IncludeRoot: true, NextToken: token }), { abortSignal: callSignal(signal) });
      for (const catalog of page.CatalogList ?? []) {
        const ref = listedCatalogRef(catalog.CatalogId, catalog.ResourceArn);
        if (ref && !found.some((f) => f.account === ref.account && f.path === ref.path)) found.push(ref);
      }
      token = page.NextToken;
    } while (token);
  } catch (error) {
    throw sourceError(error, 'Glue GetCatalogs (discoverCatalogs)', 'glueCatalogs');
  }
  const isContainer = (ref: CatalogRef): boolean => ref.path !== '' && found.some((other) => other.account === ref.account && other.path.startsWith(`${ref.path}/`));
  return found.filter((ref) => !isContainer(ref));
}
