// A catalog's tables: per table its metadata location and last admitted notification timestamp, found
// by (namespace, name) and listed by namespace.
//
// Each table is kept as one string ("<timestamp>\0<metadata location>") rather than an object: the Glue
// benchmark's Polaris emulator holds 1,000,000 tables, and as objects (a record, its namespace array
// and their strings) they made each full garbage collection of this process long enough to show in
// the event latencies the benchmark measures, which a real Polaris does not have
// (`npm run bench -- polaris-emulator-heap`). A string is one object the collector does not look into.
import { nsKey, tableKey } from './keys.js';

export interface TableRecord {
  namespace: string[];
  name: string;
  metadataLocation: string;
  /** Last admitted notification timestamp; Polaris keeps it as an internal property of the entity. */
  timestamp: number | undefined;
}

export class TableStore {
  /** tableKey → the encoded table. */
  private readonly byKey = new Map<string, string>();
  /**
   * The names by namespace key: listing one namespace costs that namespace, as in Polaris (an indexed
   * query), not a walk of the whole catalog (a target check of a 1,000,000-table catalog lists 200
   * namespaces).
   */
  private readonly byNamespace = new Map<string, Set<string>>();
  /** A namespace's names sorted, kept until a table of it is added or removed. */
  private readonly sortedNames = new Map<string, readonly string[]>();

  get size(): number {
    return this.byKey.size;
  }

  get(namespace: readonly string[], name: string): TableRecord | undefined {
    const encoded = this.byKey.get(tableKey(namespace, name));
    return encoded === undefined ? undefined : decode(namespace, name, encoded);
  }

  has(namespace: readonly string[], name: string): boolean {
    return this.byKey.has(tableKey(namespace, name));
  }

  /** Adds or replaces a table. */
  put(record: TableRecord): void {
    this.byKey.set(tableKey(record.namespace, record.name), `${record.timestamp ?? ''}\u0000${record.metadataLocation}`);
    const namespace = nsKey(record.namespace);
    let names = this.byNamespace.get(namespace);
    if (!names) this.byNamespace.set(namespace, (names = new Set()));
    if (!names.has(record.name)) this.sortedNames.delete(namespace);
    names.add(record.name);
  }

  /** Removes a table, if present. */
  remove(namespace: readonly string[], name: string): void {
    this.byKey.delete(tableKey(namespace, name));
    const key = nsKey(namespace);
    const names = this.byNamespace.get(key);
    if (!names) return;
    if (names.delete(name)) this.sortedNames.delete(key);
    if (names.size === 0) this.byNamespace.delete(key);
  }

  /** Whether a table lies directly in this namespace. */
  anyIn(namespace: readonly string[]): boolean {
    return this.byNamespace.has(nsKey(namespace));
  }

  /** One namespace's table names, sorted. */
  namesIn(namespace: readonly string[]): readonly string[] {
    const key = nsKey(namespace);
    let sorted = this.sortedNames.get(key);
    if (!sorted) {
      sorted = [...(this.byNamespace.get(key) ?? [])].sort();
      if (sorted.length > 0) this.sortedNames.set(key, sorted);
    }
    return sorted;
  }

  /** Every table, in no particular order. */
  *records(): IterableIterator<TableRecord> {
    // By namespace: a key's levels are exact once split on U+001F, which no level can hold.
    for (const [namespaceKey, names] of this.byNamespace) {
      const namespace = namespaceKey.split('\u001f');
      for (const name of names) yield decode(namespace, name, this.byKey.get(tableKey(namespace, name))!);
    }
  }
}

function decode(namespace: readonly string[], name: string, encoded: string): TableRecord {
  const split = encoded.indexOf('\u0000');
  const timestamp = encoded.slice(0, split);
  return { namespace: [...namespace], name, metadataLocation: encoded.slice(split + 1), timestamp: timestamp === '' ? undefined : Number(timestamp) };
}
