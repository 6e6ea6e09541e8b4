import type { Table } from '@aws-sdk/client-glue';
import type { ListedItem, PresentObservation, SkippedTable } from '../../src/model/observation.js';
import type { SourceTable } from '../../src/model/table.js';

/**
 * What a Glue table record means for the mirror. Only Iceberg tables with a metadata location can be
 * mirrored through Polaris's notifications; every other kind is skipped with a reason (counted in
 * `sync` output, `status` and metrics). The checks go from the most specific kind to the least, so a
 * resource link to an Iceberg table counts as a link, not as Iceberg.
 */
export function classifyGlueTable(
  /** The table as the mirror names it: its database as the one namespace level, and its name. */
  source: SourceTable,
  table: Table,
  /** The observation's order: when the read that returned this record was sent (see observe-table.ts). */
  order: number,
): ListedItem {
  const skipped = skipReason(source, table);
  if (skipped) return { kind: 'skipped', skipped };
  const observation: PresentObservation = {
    table: source,
    state: 'present',
    metadataLocation: parameter(table, 'metadata_location')!,
    ...optionalUuid(table),
    order,
    sourceTimeMs: table.UpdateTime?.getTime() ?? table.CreateTime?.getTime() ?? order,
  };
  return { kind: 'observation', observation };
}

function skipReason(table: SourceTable, glue: Table): SkippedTable | undefined {
  if (glue.TargetTable) {
    const t = glue.TargetTable;
    return { table, reason: 'resource-link', detail: `resource link to ${[t.CatalogId, t.DatabaseName, t.Name].filter(Boolean).join('.')}: mirror the target catalog instead` };
  }
  if (glue.FederatedTable) return { table, reason: 'federated', detail: `federated table (connection ${glue.FederatedTable.ConnectionName ?? 'unknown'})` };
  if (isView(glue)) return { table, reason: 'view', detail: 'a view has no Iceberg table metadata' };
  const tableType = parameter(glue, 'table_type');
  if (tableType?.toUpperCase() !== 'ICEBERG') {
    return { table, reason: 'not-iceberg', detail: tableType ? `table_type is ${tableType}` : `no table_type parameter (${glue.TableType ?? 'no TableType'})` };
  }
  if (!parameter(glue, 'metadata_location')) {
    return { table, reason: 'no-metadata-location', detail: 'an Iceberg table without metadata_location (e.g. a Lake Formation temporary table)' };
  }
  return undefined;
}

function isView(glue: Table): boolean {
  return glue.TableType?.toUpperCase() === 'VIRTUAL_VIEW' || glue.ViewOriginalText !== undefined || glue.ViewDefinition !== undefined || glue.IsMultiDialectView === true || glue.IsMaterializedView === true;
}

/** A table parameter by name; Iceberg writes lower-case keys, other writers have used upper case. */
function parameter(glue: Table, key: string): string | undefined {
  const parameters = glue.Parameters ?? {};
  const exact = parameters[key];
  if (exact !== undefined) return exact.trim() === '' ? undefined : exact.trim();
  for (const [k, v] of Object.entries(parameters)) if (k.toLowerCase() === key && v.trim() !== '') return v.trim();
  return undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The Iceberg table UUID when Glue has it: IcebergTableMetadata.TableUuid (newer Glue), or the `uuid`
 * parameter some writers set. Anything not shaped like a UUID is ignored; without one the engine
 * sends the nil UUID, which Polaris ignores.
 */
function optionalUuid(glue: Table): { tableUuid?: string } {
  const uuid = glue.IcebergTableMetadata?.TableUuid ?? parameter(glue, 'uuid');
  return uuid !== undefined && UUID.test(uuid) ? { tableUuid: uuid } : {};
}
