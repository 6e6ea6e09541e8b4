import type { PresentObservation, SkippedTable } from '../../src/model/observation.js';
import type { SourceTable } from '../../src/model/table.js';
import { encodeEntry, type EtagEntry } from './etag-entry.js';
import type { CatalogSession, RestCatalogClient } from './rest-client.js';

export type TableRead =
  | { readonly kind: 'observation'; readonly observation: PresentObservation }
  | { readonly kind: 'skipped'; readonly skipped: SkippedTable }
  /** 404 NoSuchTable / NoSuchNamespace. */
  | { readonly kind: 'gone' };

/**
 * One conditional load turned into what the mirror needs: metadata-location, table-uuid and
 * last-updated-ms (the source time Polaris's timestamp is based on). `stored` is the ETag entry the
 * ledger holds with the table's observation: a 304 yields that observation again, so an unchanged
 * table costs one request and no body. The observation carries its ETag entry as sourceVersion (none
 * when the server sent no ETag), which the ledger stores with it.
 *
 * `order` is the time the read started: a later read of the same table always orders after it.
 */
export async function readTable(client: RestCatalogClient, session: CatalogSession, table: SourceTable, stored: EtagEntry | undefined, signal?: AbortSignal): Promise<TableRead> {
  const order = Date.now();
  const outcome = await client.loadTable(session, table.namespace, table.name, stored?.etag, signal);
  if (outcome.kind === 'not-found') return { kind: 'gone' };
  if (outcome.kind === 'not-modified') {
    // loadTable only answers not-modified when an ETag was sent, i.e. when `stored` exists.
    const entry = stored!;
    return { kind: 'observation', observation: observationOf(table, entry, order, entry) };
  }
  const { result, etag } = outcome;
  const metadataLocation = result['metadata-location'];
  if (!metadataLocation) {
    return { kind: 'skipped', skipped: { table, reason: 'no-metadata-location', detail: 'the catalog returned no metadata-location (a staged table not committed yet)' } };
  }
  const tableUuid = result.metadata['table-uuid'];
  // Iceberg requires last-updated-ms; a server that omits it gets the read time, which still rises.
  const sourceTimeMs = result.metadata['last-updated-ms'] ?? order;
  const state = { metadataLocation, tableUuid, sourceTimeMs };
  return { kind: 'observation', observation: observationOf(table, state, order, etag === undefined ? undefined : { etag, ...state }) };
}

function observationOf(table: SourceTable, state: Omit<EtagEntry, 'etag'>, order: number, entry: EtagEntry | undefined): PresentObservation {
  const observation: PresentObservation = { table, state: 'present', metadataLocation: state.metadataLocation, tableUuid: state.tableUuid, order, sourceTimeMs: state.sourceTimeMs };
  return entry ? { ...observation, sourceVersion: encodeEntry(entry) } : observation;
}
