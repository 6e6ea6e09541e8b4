// In-memory catalog of the REST emulator: a namespace tree and tables, each table with its current
// metadata file (location + text). Mutations are what engines do through a real catalog: create,
// commit, rename, drop. A table keeps only its metadata file's text: a benchmark holds 1,000,000 of
// them in this process, so the parsed metadata and the loadTable bodies are made again when needed
// (a conditional load answered 304 needs only the ETag, which is a hash of the location).
import { createHash, randomUUID } from 'node:crypto';
import type { FixtureName } from '../polaris/fixture-warehouse.js';
import { committedMetadata, initialMetadata, snapshotsView } from './metadata.js';
import type { TableInfo } from './types.js';

export type SnapshotsMode = 'all' | 'refs';

export interface TableRecord {
  namespace: string[];
  name: string;
  uuid: string;
  version: number;
  lastUpdatedMs: number;
  metadataLocation: string;
  metadataText: string;
}

export const nsKey = (levels: readonly string[]): string => levels.join('\u001f');

export class CatalogState {
  readonly namespaces = new Map<string, string[]>();
  /** namespace key → table name → table: listings read one namespace without scanning the rest. */
  private readonly byNamespace = new Map<string, Map<string, TableRecord>>();
  /** namespace key → its tables sorted by name, until one is added or removed: a page does not sort 5,000 tables again. */
  private readonly sorted = new Map<string, TableRecord[]>();
  private snapshotIds = 1;

  constructor(
    private readonly tableRoot: string,
    private readonly fixture: FixtureName,
    private readonly writeMetadata: ((uri: string, text: string) => void | Promise<void>) | undefined,
  ) {}

  createNamespace(levels: string[]): void {
    if (levels.length === 0 || levels.some((l) => l === '')) throw new Error(`invalid namespace ${JSON.stringify(levels)}`);
    for (let depth = 1; depth <= levels.length; depth++) {
      const ns = levels.slice(0, depth);
      if (!this.namespaces.has(nsKey(ns))) this.namespaces.set(nsKey(ns), ns);
    }
  }

  dropNamespace(levels: string[]): void {
    const key = nsKey(levels);
    if (!this.namespaces.has(key)) throw new Error(`no namespace ${levels.join('.')}`);
    if (this.children(levels).length > 0 || this.tablesIn(levels).length > 0) throw new Error(`namespace ${levels.join('.')} is not empty`);
    this.namespaces.delete(key);
  }

  hasNamespace(levels: readonly string[]): boolean {
    return this.namespaces.has(nsKey(levels));
  }

  /** Direct children of `parent` ([] = top level), sorted. */
  children(parent: readonly string[]): string[][] {
    return [...this.namespaces.values()]
      .filter((ns) => ns.length === parent.length + 1 && parent.every((l, i) => ns[i] === l))
      .sort((a, b) => compare(nsKey(a), nsKey(b)));
  }

  tablesIn(namespace: readonly string[]): readonly TableRecord[] {
    const key = nsKey(namespace);
    let tables = this.sorted.get(key);
    if (!tables) {
      tables = [...(this.byNamespace.get(key)?.values() ?? [])].sort((a, b) => compare(a.name, b.name));
      this.sorted.set(key, tables);
    }
    return tables;
  }

  get(namespace: readonly string[], name: string): TableRecord | undefined {
    return this.byNamespace.get(nsKey(namespace))?.get(name);
  }

  all(): TableRecord[] {
    return [...this.byNamespace.values()].flatMap((tables) => [...tables.values()]);
  }

  private put(record: TableRecord): void {
    const key = nsKey(record.namespace);
    let tables = this.byNamespace.get(key);
    if (!tables) this.byNamespace.set(key, (tables = new Map()));
    tables.set(record.name, record);
    this.sorted.delete(key);
  }

  private remove(namespace: readonly string[], name: string): void {
    this.byNamespace.get(nsKey(namespace))?.delete(name);
    this.sorted.delete(nsKey(namespace));
  }

  async create(namespace: string[], name: string, options: { uuid?: string; lastUpdatedMs?: number } = {}): Promise<TableRecord> {
    if (this.get(namespace, name)) throw new Error(`table ${[...namespace, name].join('.')} exists`);
    this.createNamespace(namespace);
    const uuid = options.uuid ?? randomUUID();
    const location = `${this.tableRoot.replace(/\/+$/, '')}/${[...namespace, name].map(encodeURIComponent).join('/')}-${uuid.slice(0, 8)}`;
    const metadata = initialMetadata(this.fixture, location, uuid, options.lastUpdatedMs ?? Date.now());
    const record: TableRecord = { namespace, name, uuid, version: 0, lastUpdatedMs: 0, metadataLocation: '', metadataText: '' };
    await this.write(record, metadata);
    this.put(record);
    return record;
  }

  async commit(namespace: string[], name: string, options: { lastUpdatedMs?: number } = {}): Promise<TableRecord> {
    const record = this.require(namespace, name);
    const previous = JSON.parse(record.metadataText) as Record<string, unknown>;
    // Iceberg lets last-updated-ms step back a little; tests that want that pass it explicitly.
    const next = committedMetadata(previous, record.metadataLocation, options.lastUpdatedMs ?? Math.max(Date.now(), record.lastUpdatedMs + 1), this.snapshotIds++);
    await this.write(record, next);
    return record;
  }

  register(namespace: string[], name: string, metadataLocation: string, metadataText: string): TableRecord {
    this.createNamespace(namespace);
    const parsed = JSON.parse(metadataText) as Record<string, unknown>;
    const record: TableRecord = {
      namespace,
      name,
      uuid: String(parsed['table-uuid']),
      version: 1,
      lastUpdatedMs: Number(parsed['last-updated-ms'] ?? Date.now()),
      metadataLocation,
      metadataText,
    };
    this.put(record);
    return record;
  }

  rename(from: { namespace: string[]; name: string }, to: { namespace: string[]; name: string }): void {
    const record = this.require(from.namespace, from.name);
    if (!this.hasNamespace(to.namespace)) throw new Error(`no namespace ${to.namespace.join('.')}`);
    if (this.get(to.namespace, to.name)) throw new Error(`table ${[...to.namespace, to.name].join('.')} exists`);
    this.remove(from.namespace, from.name);
    record.namespace = to.namespace;
    record.name = to.name;
    this.put(record);
  }

  drop(namespace: string[], name: string): void {
    this.require(namespace, name);
    this.remove(namespace, name);
  }

  /** The ETag of the loadTable answer for one snapshots mode (distinct per mode, as the spec asks). */
  etag(record: TableRecord, mode: SnapshotsMode): string {
    return `"${createHash('sha1').update(`${record.metadataLocation}#${mode}`).digest('hex').slice(0, 24)}"`;
  }

  /** The loadTable body for one snapshots mode. */
  body(record: TableRecord, mode: SnapshotsMode): string {
    const metadata = mode === 'all' ? record.metadataText : JSON.stringify(snapshotsView(JSON.parse(record.metadataText) as Record<string, unknown>, mode));
    return `{"metadata-location":${JSON.stringify(record.metadataLocation)},"metadata":${metadata},"config":{}}`;
  }

  private require(namespace: readonly string[], name: string): TableRecord {
    const record = this.get(namespace, name);
    if (!record) throw new Error(`no table ${[...namespace, name].join('.')}`);
    return record;
  }

  private async write(record: TableRecord, metadata: Record<string, unknown>): Promise<void> {
    const version = record.version + 1;
    const location = `${String(metadata['location'])}/metadata/${String(version).padStart(5, '0')}-${randomUUID()}.metadata.json`;
    const text = JSON.stringify(metadata);
    await this.writeMetadata?.(location, text);
    record.version = version;
    record.lastUpdatedMs = Number(metadata['last-updated-ms']);
    record.metadataLocation = location;
    record.metadataText = text;
  }
}

export function toInfo(record: TableRecord): TableInfo {
  return {
    namespace: [...record.namespace],
    name: record.name,
    uuid: record.uuid,
    metadataLocation: record.metadataLocation,
    lastUpdatedMs: record.lastUpdatedMs,
    version: record.version,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
