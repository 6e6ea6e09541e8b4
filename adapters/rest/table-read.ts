import type { PresentObservation, SkippedTable } from '../../src/model/observation.js';
import type { SourceTable } from '../../src/model/table.js';
import type { EtagCache, EtagEntry } from './etag-cache.js';
import type { CatalogSession, RestCatalogClient } from './rest-client.js';

export type TableRead =
  /** `etag`: what a later 304 stands for, when the server sent an ETag. */
  | { readonly kind: 'observation'; readonly observation: PresentObservation; readonly etag: EtagEntry | undefined }
  | { readonly kind: 'skipped'; readonly skipped: SkippedTable }
  /** 404 NoSuchTable / NoSuchNamespace. */
  | { readonly kind: 'gone' };

/**
 * One conditional load turned into what the mirror needs: metadata-location, table-uuid and
 * last-updated-ms (the source time Polaris's timestamp is based on). A 304 yields the observation the
 * cached ETag stands for, so an unchanged table costs one request and no body.
 *
 * `order` is the time the read started: a later read of the same table always orders after it.
 */
export async function readTable(client: RestCatalogClient, session: CatalogSession, table: SourceTable, cache: EtagCache, signal?: AbortSignal): Promise<TableRead> {
  const cached = cache.get(table);
  const order = Date.now();
  const outcome = await client.loadTable(session, table.namespace, table.name, cached?.etag, signal);
  if (outcome.kind === 'not-found') return { kind: 'gone' };
  if (outcome.kind === 'not-modified') {
    // loadTable only answers not-modified when an ETag was sent, i.e. when `cached` exists.
    const entry = cached!;
    return {
      kind: 'observation',
      observation: { table, state: 'present', metadataLocation: entry.metadataLocation, tableUuid: entry.tableUuid, order, sourceTimeMs: entry.sourceTimeMs },
      etag: entry,
    };
  }
  const { result, etag } = outcome;
  const metadataLocation = result['metadata-location'];
  if (!metadataLocation) {
    cache.learn(table, undefined);
    return { kind: 'skipped', skipped: { table, reason: 'no-metadata-location', detail: 'the catalog returned no metadata-location (a staged table not committed yet)' } };
  }
  const tableUuid = result.metadata['table-uuid'];
  // Iceberg requires last-updated-ms; a server that omits it gets the read time, which still rises.
  const sourceTimeMs = result.metadata['last-updated-ms'] ?? order;
  const entry = etag === undefined ? undefined : { etag, metadataLocation, tableUuid, sourceTimeMs };
  cache.learn(table, entry);
  return { kind: 'observation', observation: { table, state: 'present', metadataLocation, tableUuid, order, sourceTimeMs }, etag: entry };
}
