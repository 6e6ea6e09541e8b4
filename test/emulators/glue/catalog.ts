// The Glue Data Catalog the emulator serves: databases and their tables, with Glue's bookkeeping
// (CreateTime, UpdateTime, VersionId rising on every update) and the wire shape of each record.
// Iceberg's Glue catalog rewrites the whole table on each commit (UpdateTable), and a rename is a
// CreateTable of the new name plus a DeleteTable of the old one: `renameTable` does exactly that.
import { ACCOUNT_ID, type DatabaseSpec, type TableSpec } from './types.js';
import { notFound } from './aws-errors.js';

interface StoredTable {
  spec: TableSpec;
  database: string;
  createTime: number;
  updateTime: number;
  versionId: number;
}

interface StoredDatabase {
  spec: DatabaseSpec;
  createTime: number;
  /**
   * Each table as one JSON string (a StoredTable), by name. The Glue benchmark keeps 1,000,000 tables in
   * this process: as objects (the record, its spec, its parameters, their strings) they made a full
   * garbage collection take about 1.5 s, and the event latencies the benchmark measures carried those
   * pauses, which a real Glue does not have (`npm run bench -- glue-emulator-heap`). A string is one
   * object the collector does not look into; a read parses about 300 bytes.
   */
  tables: Map<string, string>;
  /** The names in order, kept until a table is created or deleted: paging walks names like Glue's opaque tokens. */
  sortedNames?: string[];
}

export class GlueCatalog {
  private readonly databases = new Map<string, StoredDatabase>();

  /** The catalog's id as Glue writes it in records: the account, or "<account>:<path>" for a child catalog. */
  constructor(readonly id: string = ACCOUNT_ID) {}

  /** Test clocks can pin times; by default wall time. */
  now: () => number = () => Date.now();

  createDatabase(spec: DatabaseSpec): void {
    if (this.databases.has(spec.name)) throw new Error(`database ${spec.name} exists`);
    this.databases.set(spec.name, { spec, createTime: this.now(), tables: new Map() });
  }

  /** DeleteDatabase drops every table in it (Glue does so). */
  deleteDatabase(name: string): void {
    if (!this.databases.delete(name)) throw notFound(`Database ${name}`);
  }

  hasDatabase(name: string): boolean {
    return this.databases.has(name);
  }

  /** CreateTable. */
  createTable(database: string, spec: TableSpec): void {
    const db = this.database(database);
    if (db.tables.has(spec.name)) throw new Error(`table ${database}.${spec.name} exists`);
    const now = this.now();
    store(db, { spec, database, createTime: now, updateTime: now, versionId: 0 });
    db.sortedNames = undefined;
  }

  /** UpdateTable: replaces the definition; VersionId and UpdateTime move on. */
  updateTable(database: string, spec: TableSpec): void {
    const table = this.table(database, spec.name);
    store(this.database(database), { ...table, spec, updateTime: Math.max(this.now(), table.updateTime), versionId: table.versionId + 1 });
  }

  deleteTable(database: string, name: string): void {
    const db = this.database(database);
    if (!db.tables.delete(name)) throw notFound(`Table ${name}`);
    db.sortedNames = undefined;
  }

  /** What Iceberg does for a rename: CreateTable(new) with the same definition, then DeleteTable(old). */
  renameTable(database: string, from: string, to: string): void {
    const table = this.table(database, from);
    this.createTable(database, { ...table.spec, name: to });
    this.deleteTable(database, from);
  }

  tableSpec(database: string, name: string): TableSpec {
    return this.table(database, name).spec;
  }

  hasTable(database: string, name: string): boolean {
    return this.databases.get(database)?.tables.has(name) ?? false;
  }

  databaseNames(): string[] {
    return [...this.databases.keys()].sort();
  }

  tableCount(): number {
    let n = 0;
    for (const db of this.databases.values()) n += db.tables.size;
    return n;
  }

  // ---- wire shapes (awsJson1_1: timestamps are epoch seconds) --------------------------------------

  databaseWire(name: string): Record<string, unknown> {
    const db = this.database(name);
    return {
      Name: name,
      CatalogId: this.id,
      CreateTime: db.createTime / 1000,
      Parameters: {},
      CreateTableDefaultPermissions: [],
      ...(db.spec.targetDatabase ? { TargetDatabase: db.spec.targetDatabase } : { LocationUri: `s3://glue-emulator/${name}.db` }),
    };
  }

  tableWire(database: string, name: string): Record<string, unknown> {
    return toWire(this.table(database, name), this.id);
  }

  /** Tables of a database whose name sorts after `after`, at most `limit`, in name order. */
  tablesAfter(database: string, after: string | undefined, limit: number): { tables: Record<string, unknown>[]; more: boolean } {
    const names = this.sortedNames(this.database(database));
    const start = after === undefined ? 0 : firstAfter(names, after);
    const page = names.slice(start, start + limit);
    return { tables: page.map((n) => this.tableWire(database, n)), more: start + limit < names.length };
  }

  private sortedNames(db: StoredDatabase): string[] {
    return (db.sortedNames ??= [...db.tables.keys()].sort());
  }

  private database(name: string): StoredDatabase {
    const db = this.databases.get(name);
    if (!db) throw notFound(`Database ${name}`);
    return db;
  }

  /** A fresh copy of the stored record: callers may change it without changing the catalog. */
  private table(database: string, name: string): StoredTable {
    const table = this.database(database).tables.get(name);
    if (table === undefined) throw notFound(`Table ${name}`);
    return JSON.parse(table) as StoredTable;
  }
}

function store(db: StoredDatabase, table: StoredTable): void {
  db.tables.set(table.spec.name, JSON.stringify(table));
}

/** The index of the first name that sorts after `after` (binary search: a page must not cost the whole database). */
function firstAfter(names: readonly string[], after: string): number {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (names[middle]! > after) high = middle;
    else low = middle + 1;
  }
  return low;
}

function toWire(t: StoredTable, catalogId: string): Record<string, unknown> {
  const { spec } = t;
  const wire: Record<string, unknown> = {
    Name: spec.name,
    DatabaseName: t.database,
    CatalogId: catalogId,
    CreateTime: t.createTime / 1000,
    UpdateTime: t.updateTime / 1000,
    Retention: 0,
    VersionId: String(t.versionId),
    IsRegisteredWithLakeFormation: false,
    CreatedBy: `arn:aws:iam::${ACCOUNT_ID}:role/emulator`,
  };
  if (spec.targetTable) {
    // Resource links carry little besides the link itself.
    wire['TargetTable'] = spec.targetTable;
    return wire;
  }
  if (spec.tableType !== undefined) wire['TableType'] = spec.tableType;
  if (spec.parameters) wire['Parameters'] = spec.parameters;
  wire['PartitionKeys'] = [];
  wire['StorageDescriptor'] = {
    Columns: [{ Name: 'id', Type: 'bigint' }],
    ...(spec.location === undefined ? {} : { Location: spec.location }),
    Compressed: false,
    NumberOfBuckets: 0,
    SerdeInfo: {},
    SortColumns: [],
    StoredAsSubDirectories: false,
  };
  if (spec.federatedTable) wire['FederatedTable'] = spec.federatedTable;
  if (spec.viewOriginalText !== undefined) {
    wire['ViewOriginalText'] = spec.viewOriginalText;
    wire['ViewExpandedText'] = spec.viewOriginalText;
  }
  if (spec.isMultiDialectView) wire['IsMultiDialectView'] = true;
  return wire;
}
