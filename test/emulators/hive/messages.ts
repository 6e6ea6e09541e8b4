// Notification messages as Hive's JSON*Message classes serialize them (json-0.2 / json-2.0 share the
// fields), and the gzip(json-2.0) envelope: Base64 of the gzip of that JSON (GzipJSONMessageEncoder).
import { gzipSync } from 'node:zlib';
import { tableToTjson } from './tjson.js';
import type { EmulatedTable, HiveVersion, MessageFormat } from './types.js';

const SERVER = 'thrift://hms-emulator:9083';

export interface MessageContext {
  readonly version: HiveVersion;
  readonly excludeParameters: RegExp | undefined;
  /** Seconds. */
  readonly timestamp: number;
}

function visibleParameters(table: EmulatedTable, context: MessageContext): Record<string, string> {
  const exclude = context.excludeParameters;
  if (!exclude) return { ...table.parameters };
  return Object.fromEntries(Object.entries(table.parameters).filter(([key]) => !exclude.test(key)));
}

/**
 * Table objects are immutable snapshots: each is serialized once per context (a commit's after-table is
 * the next commit's before-table), so a benchmark log costs the emulator half the work.
 */
const rendered = new WeakMap<EmulatedTable, Map<string, string>>();

function tjson(table: EmulatedTable, context: MessageContext): string {
  const key = `${context.version}/${context.excludeParameters?.source ?? ''}`;
  let byContext = rendered.get(table);
  if (!byContext) rendered.set(table, (byContext = new Map()));
  let text = byContext.get(key);
  if (text === undefined) byContext.set(key, (text = tableToTjson(table, context.version, visibleParameters(table, context))));
  return text;
}

export function createTableMessage(table: EmulatedTable, context: MessageContext): object {
  return { server: SERVER, servicePrincipal: '', db: table.dbName, table: table.tableName, tableType: table.tableType, tableObjJson: tjson(table, context), timestamp: context.timestamp, files: [] };
}

/** db/table name the table before the change, as JSONAlterTableMessage does. */
export function alterTableMessage(before: EmulatedTable, after: EmulatedTable, context: MessageContext): object {
  return {
    server: SERVER,
    servicePrincipal: '',
    db: before.dbName,
    table: before.tableName,
    tableType: before.tableType,
    tableObjBeforeJson: tjson(before, context),
    tableObjAfterJson: tjson(after, context),
    isTruncateOp: 'false',
    timestamp: context.timestamp,
    writeId: 0,
  };
}

/** Hive 2.3 did not serialize the dropped table into the message. */
export function dropTableMessage(table: EmulatedTable, context: MessageContext): object {
  const base = { server: SERVER, servicePrincipal: '', db: table.dbName, table: table.tableName, tableType: table.tableType, timestamp: context.timestamp };
  return context.version === '2.3' ? base : { ...base, tableObjJson: tjson(table, context) };
}

export function databaseMessage(db: string, context: MessageContext): object {
  return { server: SERVER, servicePrincipal: '', db, timestamp: context.timestamp };
}

export function encodeMessage(message: object, format: MessageFormat): string {
  const json = JSON.stringify(message);
  return format === 'gzip(json-2.0)' ? gzipSync(json).toString('base64') : json;
}
