// Builders for every kind of table a Glue Data Catalog holds, shaped as their writers leave them:
// Iceberg (apache/iceberg GlueTableOperations), Iceberg's Lake Formation temporary table (no
// metadata_location yet), Hive/Parquet tables, resource links, federated tables and views.
import { ACCOUNT_ID, REGION, type TableSpec } from './types.js';

/** An Iceberg table as Iceberg's Glue catalog writes it; `previous` is the metadata it replaced. */
export function icebergTable(name: string, options: { location: string; metadataLocation: string; previous?: string; uuid?: string; tableType?: string }): TableSpec {
  return {
    name,
    tableType: 'EXTERNAL_TABLE',
    location: options.location,
    parameters: {
      // Iceberg writes upper case; other writers (Athena, Spark via Hive) have written lower case.
      table_type: options.tableType ?? 'ICEBERG',
      metadata_location: options.metadataLocation,
      ...(options.previous ? { previous_metadata_location: options.previous } : {}),
      ...(options.uuid ? { uuid: options.uuid } : {}),
    },
  };
}

/** Lake Formation mode: Iceberg first creates the table with no metadata_location, then commits. */
export function icebergWithoutMetadata(name: string, location: string): TableSpec {
  return { name, tableType: 'EXTERNAL_TABLE', location, parameters: { table_type: 'ICEBERG' } };
}

/** A plain Hive table (Parquet files), e.g. created by a Glue crawler. */
export function hiveTable(name: string, location: string): TableSpec {
  return {
    name,
    tableType: 'EXTERNAL_TABLE',
    location,
    parameters: { classification: 'parquet', EXTERNAL: 'TRUE', 'parquet.compression': 'SNAPPY' },
  };
}

/** A resource link to a table in another database or account (Lake Formation sharing). */
export function resourceLink(name: string, target: { database: string; name: string; catalogId?: string }): TableSpec {
  return { name, targetTable: { CatalogId: target.catalogId ?? ACCOUNT_ID, DatabaseName: target.database, Name: target.name, Region: REGION } };
}

/** A table of a federated catalog (Glue connection to another system). */
export function federatedTable(name: string, connection = 'redshift-conn'): TableSpec {
  return {
    name,
    tableType: 'EXTERNAL_TABLE',
    federatedTable: { Identifier: `dev.public.${name}`, DatabaseIdentifier: 'dev.public', ConnectionName: connection, ConnectionType: 'REDSHIFT' },
  };
}

/** An Athena/Presto view. */
export function viewTable(name: string, sql = 'SELECT 1'): TableSpec {
  return {
    name,
    tableType: 'VIRTUAL_VIEW',
    parameters: { presto_view: 'true', comment: 'Presto View' },
    viewOriginalText: `/* Presto View: ${Buffer.from(JSON.stringify({ originalSql: sql })).toString('base64')} */`,
  };
}
