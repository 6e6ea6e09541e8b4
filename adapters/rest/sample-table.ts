import type { CatalogSession, RestCatalogClient } from './rest-client.js';

/** Namespaces `check` looks into at most while searching for a table to sample. */
const MAX_NAMESPACES = 20;

/**
 * For `check`: the first table found (breadth first, first pages only) and its metadata location,
 * which `check` VALIDATEs against the target catalog. Proves the connector may list and load.
 * Undefined for a catalog with no table in the namespaces looked at.
 */
export async function sampleTableLocation(
  client: RestCatalogClient,
  session: CatalogSession,
  signal?: AbortSignal,
): Promise<{ table: string; metadataLocation: string } | undefined> {
  const queue: string[][] = [[]];
  for (let visited = 0; queue.length > 0 && visited < MAX_NAMESPACES; visited++) {
    const namespace = queue.shift()!;
    if (namespace.length > 0) {
      const tables = await client.tablePage(session, namespace, '', signal);
      for (const identifier of tables === 'no-such-namespace' ? [] : tables.items) {
        const loaded = await client.loadTable(session, namespace, identifier.name, undefined, signal);
        if (loaded.kind === 'loaded' && loaded.result['metadata-location']) {
          return { table: [...namespace, identifier.name].join('.'), metadataLocation: loaded.result['metadata-location'] };
        }
      }
    }
    const children = await client.namespacePage(session, namespace, '', signal);
    if (children !== 'no-such-namespace') {
      queue.push(...children.items.filter((child) => child.length > namespace.length && namespace.every((level, i) => child[i] === level)));
    }
  }
  return undefined;
}
