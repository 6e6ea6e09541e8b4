import type { HmsTable, NotificationEvent } from '../hive-log/catalog-records.js';
import { parseEventId } from '../hive-log/event-id.js';
import type { NotificationLogReader } from '../hive-log/log-reader.js';
import type { Hs2Client } from './hs2-client.js';
import { Hs2Error } from './hs2-errors.js';
import { LOG_COLUMNS, LOG_HEAD, logPage, SHOW_DATABASES, showTables, showTblProperties } from './hiveql.js';
import type { Cell } from './row-sets.js';

/** HiveServer2's own databases: catalog views, never Iceberg tables of users. */
const SYSTEM_DATABASES = new Set(['sys', 'information_schema']);

/**
 * The Hive catalog as HiveServer2's SQL shows it, and its notification log as `sys.notification_log`:
 * the same records the metastore's Thrift API gives the `hive` source, so the shared log logic
 * (adapters/hive-log) applies them alike.
 */
export class Hs2Catalog implements NotificationLogReader {
  /** The highest event id known to exist (read, or the cursor asked after): the head when the log is empty. */
  private known = 0n;

  constructor(private readonly client: Hs2Client) {}

  async databases(signal?: AbortSignal): Promise<string[]> {
    const rows = await this.client.query(SHOW_DATABASES, 1, signal);
    return texts(rows).filter((db) => !SYSTEM_DATABASES.has(db.toLowerCase()));
  }

  /** A database's tables; none when it was dropped meanwhile. */
  async tables(db: string, signal?: AbortSignal): Promise<string[]> {
    try {
      return texts(await this.client.query(showTables(db), 1, signal));
    } catch (error) {
      if (error instanceof Hs2Error && error.notFound) return [];
      throw error;
    }
  }

  /** The table's parameters; undefined only on "Table not found" / "Database does not exist". */
  async table(dbName: string, tableName: string, signal?: AbortSignal): Promise<HmsTable | undefined> {
    let rows: Cell[][];
    try {
      rows = await this.client.query(showTblProperties(dbName, tableName), 2, signal);
    } catch (error) {
      if (error instanceof Hs2Error && error.notFound) return undefined;
      throw error;
    }
    const parameters = new Map<string, string>();
    for (const [key, value] of rows) if (typeof key === 'string') parameters.set(key.trim(), typeof value === 'string' ? value.trim() : '');
    return { dbName, tableName, tableType: undefined, location: undefined, parameters, catName: undefined };
  }

  /** HiveServer2 answered about the statement (a refusal, a broken table): not an outage. */
  isTableRefusal(error: unknown): boolean {
    return error instanceof Hs2Error && (error.kind === 'authorization' || error.kind === 'sql');
  }

  async currentNotificationEventId(signal?: AbortSignal): Promise<bigint> {
    const [row] = await this.client.query(LOG_HEAD, 1, signal);
    const head = eventId(row?.[0] ?? null);
    // An empty log (every event expired) has no max: the head is then the newest id known to have existed.
    if (head !== undefined && head > this.known) this.known = head;
    return head ?? this.known;
  }

  async nextNotifications(lastEvent: bigint, maxEvents: number): Promise<NotificationEvent[]> {
    if (lastEvent > this.known) this.known = lastEvent;
    const rows = await this.client.query(logPage(lastEvent, maxEvents), LOG_COLUMNS.length);
    const events = rows.map(toEvent);
    const last = events.at(-1)?.eventId;
    if (last !== undefined && last > this.known) this.known = last;
    return events;
  }

  close(): void {
    void this.client.close();
  }
}

function texts(rows: Cell[][]): string[] {
  return rows.map((row) => row[0]).filter((cell): cell is string => typeof cell === 'string' && cell.length > 0);
}

function eventId(cell: Cell): bigint | undefined {
  if (typeof cell === 'bigint') return cell >= 0n ? cell : undefined;
  return typeof cell === 'string' ? parseEventId(cell.trim()) : undefined;
}

function toEvent(row: Cell[]): NotificationEvent {
  const [id, time, type, cat, db, table, message, format] = row;
  const parsed = eventId(id ?? null);
  if (parsed === undefined) throw new Hs2Error('sql', `sys.notification_log returned a row without a valid event_id (${String(id).slice(0, 40)})`, { retryable: true });
  const seconds = Number(time);
  return {
    eventId: parsed,
    eventTime: Number.isSafeInteger(seconds) && seconds > 0 ? seconds : 0,
    eventType: typeof type === 'string' ? type : '',
    catName: typeof cat === 'string' && cat !== '' ? cat : undefined,
    dbName: typeof db === 'string' && db !== '' ? db : undefined,
    tableName: typeof table === 'string' && table !== '' ? table : undefined,
    message: typeof message === 'string' ? message : '',
    messageFormat: typeof format === 'string' && format !== '' ? format : undefined,
  };
}
