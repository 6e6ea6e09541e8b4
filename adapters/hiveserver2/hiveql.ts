/**
 * The HiveQL this source sends. Names come from the catalog (and so from whoever may create a database
 * or table): they are always backquoted with backquotes doubled, as HiveQL escapes a quoted identifier,
 * and refused when they hold characters no Hive name can (control characters), so a hostile name is
 * only ever a name. Numbers are formatted from bigint/number values, never from text.
 */

export function quoteIdentifier(name: string): string {
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > 1024 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new Error(`"${name.slice(0, 80)}" is not a Hive identifier (empty, over 1024 characters, or with control characters)`);
  }
  return `\`${name.replaceAll('`', '``')}\``;
}

export const SHOW_DATABASES = 'SHOW DATABASES';

export function showTables(db: string): string {
  return `SHOW TABLES IN ${quoteIdentifier(db)}`;
}

/** Table parameters: table_type=ICEBERG, metadata_location, uuid, transient_lastDdlTime. */
export function showTblProperties(db: string, table: string): string {
  return `SHOW TBLPROPERTIES ${quoteIdentifier(db)}.${quoteIdentifier(table)}`;
}

/** sys.notification_log (Hive 3+): the metastore's NOTIFICATION_LOG through the JDBC storage handler. */
export const LOG_COLUMNS = ['event_id', 'event_time', 'event_type', 'cat_name', 'db_name', 'tbl_name', 'message', 'message_format'] as const;

export function logPage(after: bigint, limit: number): string {
  if (after < 0n || !Number.isSafeInteger(limit) || limit < 1) throw new Error(`bad notification log page: after ${after}, limit ${limit}`);
  return `SELECT ${LOG_COLUMNS.join(', ')} FROM sys.notification_log WHERE event_id > ${after.toString()} ORDER BY event_id LIMIT ${limit}`;
}

export const LOG_HEAD = 'SELECT max(event_id) FROM sys.notification_log';
