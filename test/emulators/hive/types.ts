// Public types of the Hive Metastore emulator (kept apart from the implementation, like the Polaris
// emulator's types.ts, so tests and benchmarks can import them without pulling in the server).

/** Which metastore generation to imitate: it decides the struct fields sent and the default message format. */
export type HiveVersion = '2.3' | '3' | '4';

export type MessageFormat = 'json-0.2' | 'json-2.0' | 'gzip(json-2.0)';

/** A table as the emulated metastore stores it (the fields of hive_metastore.thrift's Table it fills). */
export interface EmulatedTable {
  readonly dbName: string;
  readonly tableName: string;
  readonly owner: string;
  readonly createTime: number;
  readonly tableType: string;
  readonly location: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly catName: string;
  /** Hive 4's table id (an i64). */
  readonly id: bigint;
}

/** One NOTIFICATION_LOG row; the message is rendered when the event is served. */
export interface LogEvent {
  readonly eventId: bigint;
  /** Seconds. */
  readonly eventTime: number;
  readonly eventType: string;
  readonly dbName: string | undefined;
  readonly tableName: string | undefined;
  readonly catName: string;
  render(): { message: string; messageFormat: string };
  /**
   * The whole NotificationEvent struct as the binary protocol writes it, kept when the message is
   * rendered at the append (renderMessagesAtAppend): serving the event is then one copy of bytes, as
   * reading a NOTIFICATION_LOG row is for a metastore.
   */
  readonly wire?: Buffer;
}

export interface MetastoreOptions {
  readonly version?: HiveVersion;
  /** Default: json-0.2 up to Hive 3, gzip(json-2.0) for Hive 4. */
  readonly messageFormat?: MessageFormat;
  /** The id the first event gets (default 1); large values test i64 handling beyond 2^53. */
  readonly firstEventId?: bigint;
  /** Milliseconds since the epoch; event times are its whole seconds. */
  readonly now?: () => number;
  /** Parameters left out of notification messages (hive.metastore.notification.parameters.exclude.patterns). */
  readonly excludeParameters?: RegExp;
  readonly catalog?: string;
  /**
   * Render each event's message when it is appended, as the metastore's DbNotificationListener writes
   * it into NOTIFICATION_LOG at commit time, instead of each time it is served. Costs the messages'
   * memory (about 3 KB per event); a benchmark of the log reader sets it so that serving the log costs
   * the emulator only the wire encoding, as reading rows costs a real metastore, not the message's JSON.
   */
  readonly renderMessagesAtAppend?: boolean;
}

export interface EmulatorOptions {
  readonly host?: string;
  /** 0 (default): a free port. */
  readonly port?: number;
  readonly transport?: 'buffered' | 'framed';
}
