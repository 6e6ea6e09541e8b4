// The HiveQL statements the emulator answers, over the metastore emulator's state (the same catalog and
// notification log a Thrift client of test/emulators/hive sees). Anything else fails to compile, as an
// unknown statement does on HiveServer2. Identifiers may be plain or backquoted (`` escapes a backquote).
import type { HiveMetastore } from '../hive/metastore.js';
import type { ResultSet } from './row-set.js';

/** A statement HiveServer2 refused: the TStatus fields of its answer (Hive's ErrorMsg codes and SQL states). */
export class StatementError extends Error {
  constructor(
    message: string,
    readonly sqlState: string,
    readonly errorCode: number,
  ) {
    super(message);
  }
}

export interface StatementPolicy {
  /** `sys` holds notification_log (Hive 3+ with the sys database installed). */
  readonly sysDatabase: boolean;
  /** Tables (db.table, lower case) the session's user may not SELECT from (Ranger / SQL standard authorization). */
  readonly denied: ReadonlySet<string>;
}

const IDENT = String.raw`(?:\`(?:[^\`]|\`\`)+\`|[A-Za-z0-9_]+)`;
const LOG_COLUMNS = ['event_id', 'event_time', 'event_type', 'cat_name', 'db_name', 'tbl_name', 'message', 'message_format'] as const;

const SHOW_DATABASES = /^SHOW\s+(?:DATABASES|SCHEMAS)$/i;
const SHOW_TABLES = new RegExp(String.raw`^SHOW\s+TABLES\s+IN\s+(${IDENT})$`, 'i');
const SHOW_TBLPROPERTIES = new RegExp(String.raw`^SHOW\s+TBLPROPERTIES\s+(${IDENT})\.(${IDENT})$`, 'i');
const LOG_HEAD = /^SELECT\s+max\(event_id\)\s+FROM\s+sys\.notification_log$/i;
const LOG_PAGE = /^SELECT\s+([a-z_,\s]+?)\s+FROM\s+sys\.notification_log\s+WHERE\s+event_id\s*>\s*(\d{1,19})\s+ORDER\s+BY\s+event_id(?:\s+ASC)?\s+LIMIT\s+(\d{1,9})$/i;

export function runStatement(metastore: HiveMetastore, statement: string, user: string, policy: StatementPolicy): ResultSet {
  const sql = statement.trim().replace(/;$/, '').trim();
  let match: RegExpMatchArray | null;
  if (SHOW_DATABASES.test(sql)) {
    const names = metastore.databaseNames().concat(policy.sysDatabase ? ['sys'] : []).sort();
    return { columns: [{ name: 'database_name', type: 'string' }], rows: names.map((name) => [name]) };
  }
  if ((match = SHOW_TABLES.exec(sql))) {
    const db = identifier(match[1]!);
    if (db === 'sys' && policy.sysDatabase) return { columns: [{ name: 'tab_name', type: 'string' }], rows: [['notification_log']] };
    if (!metastore.hasDatabase(db)) throw new StatementError(compileError(`SemanticException [Error 10072]: Database does not exist: ${db}`), '42000', 10072);
    return { columns: [{ name: 'tab_name', type: 'string' }], rows: metastore.tableNames(db).sort().map((name) => [name]) };
  }
  if ((match = SHOW_TBLPROPERTIES.exec(sql))) {
    const db = identifier(match[1]!);
    const name = identifier(match[2]!);
    const table = metastore.table(db, name);
    if (!table) throw new StatementError(compileError(`SemanticException [Error 10001]: Table not found ${db}.${name}`), '42S02', 10001);
    return {
      columns: [
        { name: 'prpt_name', type: 'string' },
        { name: 'prpt_value', type: 'string' },
      ],
      rows: Object.entries(table.parameters).sort(([a], [b]) => a.localeCompare(b)),
    };
  }
  if (LOG_HEAD.test(sql)) {
    readableLog(policy, user);
    // The log is contiguous up to the newest event; empty (every event expired, or none yet): NULL.
    return { columns: [{ name: '_c0', type: 'bigint' }], rows: [[metastore.oldestEventId === undefined ? null : metastore.currentEventId]] };
  }
  if ((match = LOG_PAGE.exec(sql))) {
    readableLog(policy, user);
    const columns = match[1]!.split(',').map((c) => c.trim().toLowerCase());
    const unknown = columns.find((c) => !(LOG_COLUMNS as readonly string[]).includes(c));
    if (unknown) throw new StatementError(compileError(`SemanticException [Error 10004]: Line 1:7 Invalid table alias or column reference '${unknown}'`), '42000', 10004);
    const events = metastore.eventsAfter(BigInt(match[2]!), Number(match[3]!));
    return {
      columns: columns.map((name) => ({ name: `notification_log.${name}`, type: name === 'event_id' ? 'bigint' : name === 'event_time' ? 'int' : 'string' })),
      rows: events.map((event) => {
        const { message, messageFormat } = event.render();
        const row: Record<(typeof LOG_COLUMNS)[number], string | bigint | number | null> = {
          event_id: event.eventId,
          event_time: event.eventTime,
          event_type: event.eventType,
          cat_name: event.catName,
          db_name: event.dbName ?? null,
          tbl_name: event.tableName ?? null,
          message,
          message_format: messageFormat,
        };
        return columns.map((c) => row[c as (typeof LOG_COLUMNS)[number]]);
      }),
    };
  }
  throw new StatementError(compileError(`ParseException line 1:0 cannot recognize input near '${sql.slice(0, 20)}'`), '42000', 40000);
}

function readableLog(policy: StatementPolicy, user: string): void {
  if (!policy.sysDatabase) throw new StatementError(compileError("SemanticException [Error 10001]: Line 1:21 Table not found 'notification_log'"), '42S02', 10001);
  if (policy.denied.has('sys.notification_log')) {
    throw new StatementError(compileError(`HiveAccessControlException Permission denied: user [${user}] does not have [SELECT] privilege on [sys/notification_log]`), '42000', 40000);
  }
}

/** Hive folds unquoted names to lower case; a quoted one keeps its text with `` unescaped. */
function identifier(text: string): string {
  return text.startsWith('`') ? text.slice(1, -1).replaceAll('``', '`').toLowerCase() : text.toLowerCase();
}

function compileError(detail: string): string {
  return `Error while compiling statement: FAILED: ${detail}`;
}
