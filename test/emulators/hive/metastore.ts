// The emulated metastore's state: databases, tables and the notification log (NOTIFICATION_LOG with
// contiguous event ids, as DbNotificationListener writes it as a transactional listener). Every DDL
// call appends the event Hive would; expireThrough() plays the TTL cleaner. Several Thrift servers can
// share one HiveMetastore, like metastore instances sharing one database.
import { randomUUID } from 'node:crypto';
import { alterTableMessage, createTableMessage, databaseMessage, dropTableMessage, encodeMessage, type MessageContext } from './messages.js';
import type { EmulatedTable, HiveVersion, LogEvent, MessageFormat, MetastoreOptions } from './types.js';
import { encodeNotificationEvent } from './wire.js';

export class MetastoreError extends Error {
  constructor(
    readonly kind: 'MetaException' | 'NoSuchObjectException' | 'AlreadyExistsException' | 'UnknownDBException',
    message: string,
  ) {
    super(message);
  }
}

export type PoisonKind = 'bad-json' | 'bad-gzip' | 'bad-base64';

/** A message corrupted the way `kind` says, with the format claimed for it. */
function poisoned(kind: PoisonKind, message: string): { message: string; messageFormat: string } {
  switch (kind) {
    case 'bad-json':
      return { message: message.slice(0, Math.floor(message.length / 2)), messageFormat: 'json-0.2' };
    case 'bad-gzip':
      return { message: Buffer.from(`not gzip: ${message.slice(0, 40)}`).toString('base64'), messageFormat: 'gzip(json-2.0)' };
    case 'bad-base64':
      return { message: `%%${message.slice(0, 40)}%%`, messageFormat: 'gzip(json-2.0)' };
  }
}

export interface IcebergTableSpec {
  readonly metadataLocation: string;
  /** The table directory; default: the metadata location without /metadata/<file>. */
  readonly location?: string;
  readonly uuid?: string;
  readonly extraParameters?: Record<string, string>;
}

export class HiveMetastore {
  readonly version: HiveVersion;
  messageFormat: MessageFormat;
  excludeParameters: RegExp | undefined;
  private readonly catalog: string;
  private readonly now: () => number;
  private readonly renderAtAppend: boolean;
  private readonly databases = new Map<string, Map<string, EmulatedTable>>();
  private log: LogEvent[] = [];
  private poison: PoisonKind[] = [];
  private nextEventId: bigint;
  private nextTableId = 1n;

  constructor(options: MetastoreOptions = {}) {
    this.version = options.version ?? '3';
    this.messageFormat = options.messageFormat ?? (this.version === '4' ? 'gzip(json-2.0)' : 'json-0.2');
    this.excludeParameters = options.excludeParameters;
    this.catalog = options.catalog ?? 'hive';
    this.now = options.now ?? Date.now;
    this.renderAtAppend = options.renderMessagesAtAppend ?? false;
    this.nextEventId = options.firstEventId ?? 1n;
    this.databases.set('default', new Map());
  }

  // ---- reads (what the Thrift handlers serve) --------------------------------------------------------

  /** NOTIFICATION_SEQUENCE: the id of the last event written (0 before any). */
  get currentEventId(): bigint {
    return this.nextEventId - 1n;
  }

  databaseNames(): string[] {
    return [...this.databases.keys()];
  }

  tableNames(db: string): string[] {
    return [...(this.databases.get(db)?.keys() ?? [])];
  }

  table(db: string, name: string): EmulatedTable | undefined {
    return this.databases.get(db)?.get(name);
  }

  hasDatabase(db: string): boolean {
    return this.databases.has(db);
  }

  /** Events with id > lastEvent, oldest first (what get_next_notification returns). */
  eventsAfter(lastEvent: bigint, maxEvents: number): LogEvent[] {
    const limit = maxEvents > 0 ? maxEvents : Number.MAX_SAFE_INTEGER;
    // The log is sorted and contiguous but may start late (expired events): find the first > lastEvent.
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.log[middle]!.eventId > lastEvent) high = middle;
      else low = middle + 1;
    }
    return this.log.slice(low, low + limit);
  }

  get oldestEventId(): bigint | undefined {
    return this.log[0]?.eventId;
  }

  // ---- DDL (each appends its notification) -----------------------------------------------------------

  createDatabase(db: string): void {
    if (this.databases.has(db)) throw new MetastoreError('AlreadyExistsException', `Database ${db} already exists`);
    this.databases.set(db, new Map());
    this.append('CREATE_DATABASE', db, undefined, (c) => databaseMessage(db, c));
  }

  /** Drops a database; with cascade its tables first (one DROP_TABLE each unless `silentTables`). */
  dropDatabase(db: string, options: { cascade?: boolean; silentTables?: boolean } = {}): void {
    const tables = this.databases.get(db);
    if (!tables) throw new MetastoreError('NoSuchObjectException', `Database ${db} not found`);
    if (tables.size > 0 && !options.cascade) throw new MetastoreError('MetaException', `Database ${db} is not empty`);
    for (const name of [...tables.keys()]) {
      if (options.silentTables) tables.delete(name);
      else this.dropTable(db, name);
    }
    this.databases.delete(db);
    this.append('DROP_DATABASE', db, undefined, (c) => databaseMessage(db, c));
  }

  /** An Iceberg table as Iceberg's HiveCatalog creates it (table_type=ICEBERG, metadata_location, uuid). */
  createIcebergTable(db: string, name: string, spec: IcebergTableSpec): EmulatedTable {
    return this.createTable(db, name, {
      tableType: 'EXTERNAL_TABLE',
      location: spec.location ?? spec.metadataLocation.replace(/\/metadata\/[^/]*$/, ''),
      parameters: {
        EXTERNAL: 'TRUE',
        table_type: 'ICEBERG',
        metadata_location: spec.metadataLocation,
        uuid: spec.uuid ?? randomUUID(),
        ...spec.extraParameters,
      },
    });
  }

  createTable(db: string, name: string, spec: { tableType?: string; location?: string; parameters?: Record<string, string> } = {}): EmulatedTable {
    const tables = this.requireDatabase(db);
    if (tables.has(name)) throw new MetastoreError('AlreadyExistsException', `Table ${db}.${name} already exists`);
    const seconds = this.seconds();
    const table: EmulatedTable = {
      dbName: db,
      tableName: name,
      owner: 'hive',
      createTime: seconds,
      tableType: spec.tableType ?? 'MANAGED_TABLE',
      location: spec.location ?? `file:///warehouse/${db}.db/${name}`,
      parameters: { ...spec.parameters, transient_lastDdlTime: String(seconds) },
      catName: this.catalog,
      id: this.nextTableId++,
    };
    tables.set(name, table);
    this.append('CREATE_TABLE', db, name, (c) => createTableMessage(table, c));
    return table;
  }

  /** An Iceberg commit: one ALTER_TABLE moving metadata_location (previous_metadata_location keeps the old one). */
  commitIceberg(db: string, name: string, metadataLocation: string): EmulatedTable {
    const before = this.requireTable(db, name);
    return this.alter(before, {
      ...before,
      parameters: { ...before.parameters, previous_metadata_location: before.parameters.metadata_location ?? '', metadata_location: metadataLocation, transient_lastDdlTime: String(this.seconds()) },
    });
  }

  /** ALTER TABLE … RENAME TO: one ALTER_TABLE whose before and after names differ. */
  renameTable(db: string, name: string, newDb: string, newName: string): EmulatedTable {
    const before = this.requireTable(db, name);
    const target = this.requireDatabase(newDb);
    if (target.has(newName)) throw new MetastoreError('AlreadyExistsException', `Table ${newDb}.${newName} already exists`);
    this.databases.get(db)!.delete(name);
    return this.alter(before, { ...before, dbName: newDb, tableName: newName });
  }

  /** Any other ALTER (parameters, type): the changed table replaces the old one under the after-name. */
  alterTable(db: string, name: string, change: (table: EmulatedTable) => EmulatedTable): EmulatedTable {
    const before = this.requireTable(db, name);
    return this.alter(before, change(before));
  }

  dropTable(db: string, name: string): void {
    const table = this.requireTable(db, name);
    this.databases.get(db)!.delete(name);
    this.append('DROP_TABLE', db, name, (c) => dropTableMessage(table, c));
  }

  /** A raw event (poison messages, other event types), appended to the log as given. */
  appendRawEvent(event: { eventType: string; dbName?: string; tableName?: string; message: string; messageFormat: string }): bigint {
    return this.push({ eventType: event.eventType, dbName: event.dbName, tableName: event.tableName, render: () => ({ message: event.message, messageFormat: event.messageFormat }) });
  }

  /** The next DDL events get a corrupted message (in order), as a buggy or truncating writer would. */
  poisonNext(...kinds: PoisonKind[]): void {
    this.poison.push(...kinds);
  }

  /** The TTL cleaner: removes events up to and including eventId. */
  expireThrough(eventId: bigint): void {
    this.log = this.log.filter((event) => event.eventId > eventId);
  }

  // ---- internals -------------------------------------------------------------------------------------

  private alter(before: EmulatedTable, after: EmulatedTable): EmulatedTable {
    this.requireDatabase(after.dbName).set(after.tableName, after);
    // DbNotificationListener records the event under the after-names.
    this.append('ALTER_TABLE', after.dbName, after.tableName, (c) => alterTableMessage(before, after, c));
    return after;
  }

  private append(eventType: string, dbName: string | undefined, tableName: string | undefined, build: (context: MessageContext) => object): bigint {
    const format = this.messageFormat;
    const context: MessageContext = { version: this.version, excludeParameters: this.excludeParameters, timestamp: this.seconds() };
    const poison = this.poison.shift();
    if (poison) return this.push({ eventType, dbName, tableName, render: () => poisoned(poison, encodeMessage(build(context), format)) });
    const render = () => ({ message: encodeMessage(build(context), format), messageFormat: format });
    if (this.renderAtAppend) {
      const rendered = render();
      return this.push({ eventType, dbName, tableName, render: () => rendered }, { encode: true });
    }
    // Rendered each time it is served (from snapshots, so always the same): a log of a million listed
    // tables' CREATE events (hive-scale) stays small in memory.
    return this.push({ eventType, dbName, tableName, render });
  }

  private push(event: Pick<LogEvent, 'eventType' | 'dbName' | 'tableName' | 'render'>, options: { encode?: boolean } = {}): bigint {
    const eventId = this.nextEventId++;
    const row: LogEvent = { ...event, eventId, eventTime: this.seconds(), catName: this.catalog };
    this.log.push(options.encode ? { ...row, wire: encodeNotificationEvent(row, this.version) } : row);
    return eventId;
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private requireDatabase(db: string): Map<string, EmulatedTable> {
    const tables = this.databases.get(db);
    if (!tables) throw new MetastoreError('NoSuchObjectException', `Database ${db} not found`);
    return tables;
  }

  private requireTable(db: string, name: string): EmulatedTable {
    const table = this.databases.get(db)?.get(name);
    if (!table) throw new MetastoreError('NoSuchObjectException', `Table ${db}.${name} not found`);
    return table;
  }
}
