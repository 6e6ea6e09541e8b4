// In-memory Polaris state: catalogs, their namespaces, tables (table-store.ts: metadata location + last
// admitted notification timestamp), views and generic tables, per-table notification history
// (history-store.ts), per-table locks and counters.
import { checkNewTopLevelNamespace } from './catalog-properties.js';
import { HistoryStore } from './history-store.js';
import { nsKey, tableKey } from './keys.js';
import { TableStore } from './table-store.js';
import type { CatalogSpec, EmulatorStats, HistoryEntry, RequestKind, RequestLogEntry, TableSummary } from './types.js';

export interface Catalog {
  name: string;
  type: 'EXTERNAL' | 'INTERNAL';
  allowedLocations: string[];
  /** The catalog property default-base-location: where new top-level namespaces are placed. */
  defaultBaseLocation: string;
  /** Catalog properties (`polaris.config.*` flags among them); default-base-location is kept apart. */
  properties: Record<string, string>;
  federated: boolean;
  storageConfigured: boolean;
  /** The storage role Polaris assumes to read this catalog's files (STS); `denyStorageRole` breaks it. */
  roleArn: string;
  roleDenied: boolean;
  namespaces: Map<string, string[]>;
  tables: TableStore;
  views: Set<string>;
  genericTables: Set<string>;
  history: HistoryStore;
  /** Tables with a mutation in flight (see notifications.ts for why this exists). */
  locks: Set<string>;
  createTimestamp: number;
  /** The catalog as created through the management API (shown by GET); absent for createCatalog(). */
  management?: ManagedCatalogInfo;
}

export interface ManagedCatalogInfo {
  storageConfigInfo: Record<string, unknown>;
  connectionConfigInfo?: Record<string, unknown>;
}

/** The request log keeps the latest requests only (tests look at the few they caused). */
const REQUEST_LOG_LIMIT = 10_000;

export class EmulatorState {
  readonly catalogs = new Map<string, Catalog>();
  private readonly counters = {
    requests: 0,
    byKind: {} as Record<string, number>,
    byStatus: {} as Record<string, number>,
    notifications: {} as Record<string, number>,
    tokensIssued: 0,
    concurrentPerTableViolations: 0,
  };

  createCatalog(spec: CatalogSpec, management?: ManagedCatalogInfo): Catalog {
    if (this.catalogs.has(spec.name)) throw new Error(`catalog ${spec.name} already exists`);
    if (!Array.isArray(spec.allowedLocations)) throw new Error(`catalog ${spec.name}: allowedLocations must be an array`);
    const catalog: Catalog = {
      name: spec.name,
      type: spec.type ?? 'EXTERNAL',
      allowedLocations: [...spec.allowedLocations],
      defaultBaseLocation: spec.defaultBaseLocation ?? spec.allowedLocations[0] ?? '',
      properties: { ...spec.properties },
      roleArn: spec.roleArn ?? 'arn:aws:iam::123456789012:role/polaris-catalog',
      roleDenied: false,
      federated: spec.federated ?? false,
      storageConfigured: spec.storageConfigured ?? true,
      namespaces: new Map(),
      tables: new TableStore(),
      views: new Set(),
      genericTables: new Set(),
      history: new HistoryStore(),
      locks: new Set(),
      createTimestamp: Date.now(),
      ...(management ? { management } : {}),
    };
    this.catalogs.set(spec.name, catalog);
    return catalog;
  }

  deleteCatalog(name: string): void {
    this.catalogs.delete(name);
  }

  requireCatalog(name: string): Catalog {
    const c = this.catalogs.get(name);
    if (!c) throw new Error(`unknown catalog ${name}`);
    return c;
  }

  /**
   * Creates every missing level of `levels` (a, a.b, a.b.c), as Polaris's createNonExistingNamespaces.
   * A new top-level namespace must pass the 1.7 location rule first; if it fails, nothing is created.
   */
  ensureNamespaces(catalog: Catalog, levels: readonly string[]): void {
    const top = levels[0];
    if (top !== undefined && !catalog.namespaces.has(nsKey([top]))) checkNewTopLevelNamespace(catalog, top);
    for (let i = 1; i <= levels.length; i++) {
      const prefix = levels.slice(0, i);
      const key = nsKey(prefix);
      if (!catalog.namespaces.has(key)) catalog.namespaces.set(key, prefix);
    }
  }

  /** Tables put in place without notifications (a benchmark's catalog): `count` of them in one namespace. */
  seedTables(catalogName: string, namespace: string[], count: number, table: (i: number) => { name: string; metadataLocation: string }): void {
    const catalog = this.requireCatalog(catalogName);
    this.ensureNamespaces(catalog, namespace);
    for (let i = 0; i < count; i++) catalog.tables.put({ namespace, ...table(i), timestamp: 1 });
  }

  createView(catalogName: string, namespace: string[], name: string): void {
    const catalog = this.requireCatalog(catalogName);
    this.ensureNamespaces(catalog, namespace);
    catalog.views.add(tableKey(namespace, name));
  }

  createGenericTable(catalogName: string, namespace: string[], name: string): void {
    const catalog = this.requireCatalog(catalogName);
    this.ensureNamespaces(catalog, namespace);
    catalog.genericTables.add(tableKey(namespace, name));
  }

  tables(catalogName: string): TableSummary[] {
    const catalog = this.requireCatalog(catalogName);
    return [...catalog.tables.records()]
      .map((t) => ({ namespace: [...t.namespace], name: t.name, metadataLocation: t.metadataLocation, timestamp: t.timestamp ?? -1 }))
      .sort((a, b) => compareLevels(a.namespace, b.namespace) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** One namespace's table identifiers, sorted by name. */
  /** One namespace's table names, sorted (kept until the namespace changes: a paged listing reads it per page). */
  tableNamesIn(catalogName: string, namespace: readonly string[]): readonly string[] {
    return this.requireCatalog(catalogName).tables.namesIn(namespace);
  }

  namespaces(catalogName: string): string[][] {
    const catalog = this.requireCatalog(catalogName);
    return [...catalog.namespaces.values()].map((l) => [...l]).sort(compareLevels);
  }

  history(catalogName: string, namespace: string[], name: string): HistoryEntry[] {
    const catalog = this.requireCatalog(catalogName);
    return catalog.history.of(tableKey(namespace, name));
  }

  countRequest(kind: RequestKind | 'other', status: number | 'reset'): void {
    const c = this.counters;
    c.requests++;
    c.byKind[kind] = (c.byKind[kind] ?? 0) + 1;
    const s = String(status);
    c.byStatus[s] = (c.byStatus[s] ?? 0) + 1;
  }

  private readonly requestLog: RequestLogEntry[] = [];

  /** What Polaris's access log would say of each answered request, with its X-Request-ID. */
  logRequest(entry: RequestLogEntry): void {
    this.requestLog.push(entry);
    if (this.requestLog.length > REQUEST_LOG_LIMIT * 1.1) this.requestLog.splice(0, this.requestLog.length - REQUEST_LOG_LIMIT);
  }

  requests(): RequestLogEntry[] {
    return this.requestLog.map((e) => ({ ...e }));
  }

  countNotification(type: string, status: number): void {
    const key = `${type}:${status}`;
    this.counters.notifications[key] = (this.counters.notifications[key] ?? 0) + 1;
  }

  countTokenIssued(): void {
    this.counters.tokensIssued++;
  }

  countConcurrentViolation(): void {
    this.counters.concurrentPerTableViolations++;
  }

  stats(): EmulatorStats {
    const c = this.counters;
    return {
      requests: c.requests,
      byKind: { ...c.byKind },
      byStatus: { ...c.byStatus },
      notifications: { ...c.notifications },
      tokensIssued: c.tokensIssued,
      concurrentPerTableViolations: c.concurrentPerTableViolations,
    };
  }
}

function compareLevels(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
