import type { AbsentObservation, PresentObservation, SkippedTable } from '../../src/model/observation.js';
import type { SourceTable } from '../../src/model/table.js';
import type { GlueCatalogReader } from './glue-reader.js';
import { classifyGlueTable } from './glue-table.js';

export type TableObservation =
  | { readonly kind: 'observed'; readonly observation: PresentObservation | AbsentObservation }
  /** The table exists but is not mirrorable (no longer Iceberg, a view, …): nothing to say about it. */
  | { readonly kind: 'skipped'; readonly skipped: SkippedTable };

/**
 * One table (`table` is its name in the mirror; `database` its Glue database in the reader's catalog),
 * read fresh with GetTable: present, or absent only on EntityNotFoundException (every other
 * error throws, so AccessDenied never reads as a drop).
 *
 * Order key: the time the GetTable (or a GetTables page, in a scan) was sent. It rises with Glue's
 * truth: a read sent later sees the table at least as new, so a scan page read before an
 * event-triggered GetTable never overwrites that newer answer. Glue's VersionId would not do: it starts
 * again when a table is dropped and re-created, and it cannot be compared with absences (the engine's
 * reconciler orders those by the time its pass started).
 */
export async function observeTable(reader: GlueCatalogReader, database: string, table: SourceTable, signal?: AbortSignal): Promise<TableObservation> {
  const read = await reader.table(database, table.name, signal);
  if (!read.found) {
    // Just confirmed by Glue itself: the engine need not read it again before the DROP.
    return { kind: 'observed', observation: { table, state: 'absent', confirmed: true, order: read.startedAt, sourceTimeMs: read.startedAt } };
  }
  const item = classifyGlueTable(table, read.table, read.startedAt);
  return item.kind === 'observation' ? { kind: 'observed', observation: item.observation } : { kind: 'skipped', skipped: item.skipped };
}
