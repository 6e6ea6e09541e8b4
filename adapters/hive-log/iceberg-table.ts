import type { SkipReason } from '../../src/model/observation.js';
import type { HmsTable } from './catalog-records.js';

/** What a metastore table is to the mirror. */
export type TableKind =
  | { readonly kind: 'iceberg'; readonly metadataLocation: string; readonly tableUuid: string | undefined; readonly lastDdlTimeMs: number | undefined }
  /** Iceberg, but the object at hand lacks metadata_location (stripped from a message, or a table being created). */
  | { readonly kind: 'iceberg-without-location' }
  | { readonly kind: 'skip'; readonly reason: SkipReason; readonly detail: string };

/**
 * Iceberg's HiveCatalog (HiveTableOperations) marks its tables with the parameter table_type=ICEBERG
 * (any case) and keeps the current metadata file in metadata_location and the table UUID in uuid.
 * Views and every other table are skipped: they have no metadata file Polaris could read.
 */
export function classifyTable(table: HmsTable): TableKind {
  const tableType = table.tableType?.toUpperCase();
  if (tableType === 'VIRTUAL_VIEW' || tableType === 'MATERIALIZED_VIEW') {
    return { kind: 'skip', reason: 'view', detail: `${table.dbName}.${table.tableName} is a ${table.tableType}` };
  }
  const format = parameter(table, 'table_type');
  if (format?.toUpperCase() !== 'ICEBERG') {
    const what = format === undefined ? 'no table_type parameter' : `table_type=${format}`;
    return { kind: 'skip', reason: 'not-iceberg', detail: `${table.dbName}.${table.tableName} is not an Iceberg table (${what})` };
  }
  const metadataLocation = parameter(table, 'metadata_location');
  if (!metadataLocation) return { kind: 'iceberg-without-location' };
  const ddlSeconds = Number(parameter(table, 'transient_lastDdlTime'));
  return {
    kind: 'iceberg',
    metadataLocation,
    tableUuid: parameter(table, 'uuid') || undefined,
    lastDdlTimeMs: Number.isFinite(ddlSeconds) && ddlSeconds > 0 ? ddlSeconds * 1000 : undefined,
  };
}

/** Parameter keys are matched exactly, then case-insensitively (some writers upper-case them). */
function parameter(table: HmsTable, key: string): string | undefined {
  const exact = table.parameters.get(key);
  if (exact !== undefined) return exact;
  for (const [k, v] of table.parameters) if (k.toLowerCase() === key) return v;
  return undefined;
}
