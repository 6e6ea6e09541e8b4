/**
 * The metastore's records as both Hive transports deliver them: the metastore's Thrift API (the
 * `hive` source) and HiveServer2's SQL over `sys.notification_log` and table metadata (the
 * `hiveserver2` source). Field comments give the Thrift field ids of hive_metastore.thrift.
 */

/** Table: 1 tableName, 2 dbName, 4 createTime, 7 sd (2 location), 9 parameters, 12 tableType, 17 catName. */
export interface HmsTable {
  readonly tableName: string;
  readonly dbName: string;
  readonly tableType: string | undefined;
  readonly location: string | undefined;
  readonly parameters: ReadonlyMap<string, string>;
  readonly catName: string | undefined;
}

/** NotificationEvent: 1 eventId (i64), 2 eventTime (i32 s), 3 eventType, 4 dbName, 5 tableName, 6 message, 7 messageFormat, 8 catName. */
export interface NotificationEvent {
  readonly eventId: bigint;
  readonly eventTime: number;
  readonly eventType: string;
  readonly dbName: string | undefined;
  readonly tableName: string | undefined;
  readonly message: string;
  readonly messageFormat: string | undefined;
  readonly catName: string | undefined;
  /**
   * The caller has read the message (of this event and of every other event of its batch): a reader
   * that lends the batch's messages memory it reuses takes it back. The messages cannot be read after.
   */
  readonly releaseMessage?: () => void;
}
