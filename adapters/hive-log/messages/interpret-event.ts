import type { z } from 'zod';
import type { SkipReason } from '../../../src/model/observation.js';
import type { SourceTable } from '../../../src/model/table.js';
import { classifyTable } from '../iceberg-table.js';
import type { HmsTable } from '../catalog-records.js';
import { decodeMessage, type InflateBudget, UnparseableMessage } from './decode-message.js';
import { alterTableMessageSchema, dropDatabaseMessageSchema, firstIssue, tableMessageSchema } from './message-schemas.js';
import { RecentTjsonTables } from './recent-tjson-tables.js';
import { parseTjsonTable } from './tjson-table.js';

/** A notification event as the metastore records it (the log and the hook both deliver this shape). */
export interface HiveEvent {
  readonly eventType: string;
  readonly dbName?: string | undefined;
  readonly tableName?: string | undefined;
  readonly message: string;
  readonly messageFormat?: string | undefined;
  readonly catName?: string | undefined;
}

/** What one event says about one table. */
export type TableChange =
  | { readonly kind: 'present'; readonly table: SourceTable; readonly metadataLocation: string; readonly tableUuid: string | undefined }
  | { readonly kind: 'absent'; readonly table: SourceTable }
  /** The message does not carry metadata_location (stripped by notification.parameters.exclude.patterns): read the table. */
  | { readonly kind: 'read'; readonly table: SourceTable };

export type Interpretation =
  | { readonly kind: 'changes'; readonly changes: readonly TableChange[] }
  | { readonly kind: 'drop-database'; readonly db: string }
  | { readonly kind: 'ignored'; readonly reason: 'event-type' | 'other-catalog' | SkipReason; readonly detail?: string }
  /**
   * The message cannot be read. `fallback` is what can still be done from the event's own fields:
   * re-read the table it names (create/alter), or treat it as gone pending confirmation (drop).
   */
  | { readonly kind: 'unparseable'; readonly reason: string; readonly fallback: readonly TableChange[] };

/**
 * The tables of recent CREATE and ALTER messages, shared by every Hive source and hook of the process
 * (bounded, 8 Mi characters): a table's next commit is read from its last one (exactly, see
 * RecentTjsonTables).
 */
export const recentTables = new RecentTjsonTables();

/** Events about other objects (partitions, functions, transactions, statistics…) are not interesting. */
const TABLE_EVENTS = new Set(['CREATE_TABLE', 'ALTER_TABLE', 'DROP_TABLE', 'DROP_DATABASE']);

/**
 * Turns a notification event into table changes. Pure (recentTables changes how fast, never what):
 * reading the metastore (for `read` changes) and ordering are the caller's. `catalogName`, when set,
 * ignores events of other Hive 3+ catalogs. `budget` bounds what the messages of one hook request may
 * inflate to (InflateBudgetExceeded).
 */
export function interpretEvent(event: HiveEvent, catalogName: string | undefined, budget?: InflateBudget): Interpretation {
  if (!TABLE_EVENTS.has(event.eventType)) return { kind: 'ignored', reason: 'event-type' };
  if (catalogName !== undefined && event.catName !== undefined && event.catName.toLowerCase() !== catalogName.toLowerCase()) {
    return { kind: 'ignored', reason: 'other-catalog', detail: `catalog ${event.catName}` };
  }
  if (event.eventType === 'DROP_DATABASE' && event.dbName) return { kind: 'drop-database', db: event.dbName };
  try {
    const json = decodeMessage(event.message, event.messageFormat, budget);
    switch (event.eventType) {
      case 'CREATE_TABLE':
        return createTable(event, json);
      case 'ALTER_TABLE':
        return alterTable(json);
      case 'DROP_TABLE':
        return dropTable(event, json);
      default:
        return dropDatabase(json);
    }
  } catch (error) {
    if (!(error instanceof UnparseableMessage)) throw error;
    return { kind: 'unparseable', reason: error.message, fallback: fallbackFor(event) };
  }
}

function createTable(event: HiveEvent, json: unknown): Interpretation {
  const message = parse(tableMessageSchema, json);
  if (message.tableObjJson === undefined) {
    // Old metastores do not serialize the table into CREATE_TABLE: read it.
    const table = namedTable(message.db ?? event.dbName, message.table ?? event.tableName);
    return { kind: 'changes', changes: [{ kind: 'read', table }] };
  }
  const result = changeFor(parseTjsonTable(message.tableObjJson, 'tableObjJson', recentTables));
  return 'ignored' in result ? result.ignored : { kind: 'changes', changes: [result.change] };
}

function alterTable(json: unknown): Interpretation {
  const message = parse(alterTableMessageSchema, json);
  const after = parseTjsonTable(message.tableObjAfterJson, 'tableObjAfterJson', recentTables);
  // Hive writes the before-names into the message's db/table; older messages only in the before object.
  const before =
    message.db !== undefined && message.table !== undefined
      ? namedTable(message.db, message.table)
      : message.tableObjBeforeJson !== undefined
        ? sourceTable(parseTjsonTable(message.tableObjBeforeJson, 'tableObjBeforeJson'))
        : sourceTable(after);
  const result = changeFor(after);
  if ('ignored' in result) return result.ignored;
  const renamed = before.namespace[0] !== after.dbName || before.name !== after.tableName;
  // A rename: the new name appears, the old one goes (the engine sends CREATE(new) before DROP(old)).
  return { kind: 'changes', changes: renamed ? [result.change, { kind: 'absent', table: before }] : [result.change] };
}

function dropTable(event: HiveEvent, json: unknown): Interpretation {
  const message = parse(tableMessageSchema, json);
  if (message.tableObjJson !== undefined) {
    const table = parseTjsonTable(message.tableObjJson, 'tableObjJson');
    const kind = classifyTable(table);
    if (kind.kind === 'skip') return { kind: 'ignored', reason: kind.reason, detail: kind.detail };
    return { kind: 'changes', changes: [{ kind: 'absent', table: sourceTable(table) }] };
  }
  return { kind: 'changes', changes: [{ kind: 'absent', table: namedTable(message.db ?? event.dbName, message.table ?? event.tableName) }] };
}

function dropDatabase(json: unknown): Interpretation {
  const message = parse(dropDatabaseMessageSchema, json);
  if (!message.db) throw new UnparseableMessage('DROP_DATABASE names no database');
  return { kind: 'drop-database', db: message.db };
}

/** present / read for an Iceberg table, or why it is ignored. */
function changeFor(table: HmsTable): { change: TableChange } | { ignored: Interpretation } {
  const kind = classifyTable(table);
  if (kind.kind === 'skip') return { ignored: { kind: 'ignored', reason: kind.reason, detail: kind.detail } };
  if (kind.kind === 'iceberg-without-location') return { change: { kind: 'read', table: sourceTable(table) } };
  return { change: { kind: 'present', table: sourceTable(table), metadataLocation: kind.metadataLocation, tableUuid: kind.tableUuid } };
}

/** What the event's own fields still allow when its message cannot be read. */
function fallbackFor(event: HiveEvent): TableChange[] {
  if (!event.dbName || !event.tableName) return [];
  const table = { namespace: [event.dbName], name: event.tableName };
  if (event.eventType === 'DROP_TABLE') return [{ kind: 'absent', table }];
  if (event.eventType === 'CREATE_TABLE' || event.eventType === 'ALTER_TABLE') return [{ kind: 'read', table }];
  return [];
}

function parse<T>(schema: z.ZodType<T>, json: unknown): T {
  const result = schema.safeParse(json);
  if (!result.success) throw new UnparseableMessage(`unexpected message content (${firstIssue(result.error)})`);
  return result.data;
}

function namedTable(db: string | undefined, name: string | undefined): SourceTable {
  if (!db || !name) throw new UnparseableMessage('the message names no table');
  return { namespace: [db], name };
}

function sourceTable(table: HmsTable): SourceTable {
  return { namespace: [table.dbName], name: table.tableName };
}
