// EventBridge events as Glue emits them (source aws.glue), in the documented shapes of
// fixtures/glue-events/: table create/delete arrive as "Database State Change", UpdateTable as
// "Table State Change". An EventBridge → SQS target delivers the event JSON as the message body.
import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID, REGION } from './types.js';

export interface GlueEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: 'aws.glue';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/**
 * The events of one catalog. The default catalog's ARNs are table/<database>/<table>; another
 * catalog's put its path first (table/s3tablescatalog/<bucket>/<database>/<table>), in its account.
 */
export function glueEventsOf(catalogId: string) {
  const colon = catalogId.indexOf(':');
  const account = colon < 0 ? catalogId : catalogId.slice(0, colon);
  const path = colon < 0 ? '' : `${catalogId.slice(colon + 1)}/`;
  const tableArn = (database: string, table: string): string => `arn:aws:glue:${REGION}:${account}:table/${path}${database}/${table}`;
  const databaseArn = (database: string): string => `arn:aws:glue:${REGION}:${account}:database/${path}${database}`;

  function envelope(detailType: string, resources: string[], detail: Record<string, unknown>): GlueEvent {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source: 'aws.glue',
      account,
      // EventBridge times are whole seconds.
      time: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
      region: REGION,
      resources,
      detail,
    };
  }

  function databaseChange(typeOfChange: string, database: string, tables: string[]): GlueEvent {
    return envelope(
      'Glue Data Catalog Database State Change',
      tables.map((t) => tableArn(database, t)),
      { databaseName: database, typeOfChange, changedTables: tables },
    );
  }

  return {
    createTable: (database: string, table: string): GlueEvent => databaseChange('CreateTable', database, [table]),
    deleteTable: (database: string, table: string): GlueEvent => databaseChange('DeleteTable', database, [table]),
    batchDeleteTable: (database: string, tables: string[]): GlueEvent => databaseChange('BatchDeleteTable', database, tables),
    createDatabase: (database: string): GlueEvent =>
      envelope('Glue Data Catalog Database State Change', [databaseArn(database)], { databaseName: database, typeOfChange: 'CreateDatabase' }),
    deleteDatabase: (database: string): GlueEvent =>
      envelope('Glue Data Catalog Database State Change', [databaseArn(database)], { databaseName: database, typeOfChange: 'DeleteDatabase' }),
    updateTable: (database: string, table: string): GlueEvent =>
      envelope('Glue Data Catalog Table State Change', [tableArn(database, table)], { databaseName: database, tableName: table, typeOfChange: 'UpdateTable', changedPartitions: [] }),
    createPartition: (database: string, table: string): GlueEvent =>
      envelope('Glue Data Catalog Table State Change', [tableArn(database, table)], {
        databaseName: database,
        tableName: table,
        typeOfChange: 'BatchCreatePartition',
        changedPartitions: ['[2026, 11, 20]'],
      }),
  };
}

/** The events of the emulator's default catalog. */
export const glueEvents = glueEventsOf(ACCOUNT_ID);
