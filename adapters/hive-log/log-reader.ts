import type { HmsTable, NotificationEvent } from './catalog-records.js';

/** One table by name, from whichever Hive transport the source speaks. */
export interface TableLookup {
  /** The table, or undefined only on a definite "no such table / database" answer; anything else throws. */
  table(dbName: string, tableName: string, signal?: AbortSignal): Promise<HmsTable | undefined>;
  /**
   * True for an error the catalog answered about one table (no permission on it, a broken table): the
   * log skips that table instead of stalling; an outage (false) makes the batch be fetched again.
   */
  isTableRefusal(error: unknown): boolean;
}

/** The notification log (DbNotificationListener), read over the metastore's Thrift API or over SQL. */
export interface NotificationLogReader extends TableLookup {
  /** The id of the newest event in the log. */
  currentNotificationEventId(signal?: AbortSignal): Promise<bigint>;
  /** Up to `maxEvents` events with ids above `lastEvent`, in id order. */
  nextNotifications(lastEvent: bigint, maxEvents: number): Promise<NotificationEvent[]>;
  /** Fails the call in flight (the watch stopped). */
  close(): void;
}
