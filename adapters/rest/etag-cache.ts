import type { SourceTable } from '../../src/model/table.js';

/**
 * What a table's ETag stands for. An entry carries the whole observation a 200 gave, so a later 304
 * can yield the same observation without a body: the ETag alone would not say where the metadata is.
 */
export interface EtagEntry {
  readonly etag: string;
  readonly metadataLocation: string;
  readonly tableUuid: string;
  readonly sourceTimeMs: number;
}

const KEEP = Symbol('keep');

/** Adapter state keys of this adapter's ETags; other kinds of state (an events cursor) may follow. */
const KEY_PREFIX = 'etag:';

export function etagKey(table: SourceTable): string {
  return KEY_PREFIX + JSON.stringify([...table.namespace, table.name]);
}

export function encodeEntry(entry: EtagEntry): string {
  return JSON.stringify([entry.etag, entry.metadataLocation, entry.tableUuid, entry.sourceTimeMs]);
}

export function decodeEntry(value: string): EtagEntry | undefined {
  try {
    const [etag, metadataLocation, tableUuid, sourceTimeMs] = JSON.parse(value) as unknown[];
    if (typeof etag !== 'string' || typeof metadataLocation !== 'string' || typeof tableUuid !== 'string' || typeof sourceTimeMs !== 'number') return undefined;
    return { etag, metadataLocation, tableUuid, sourceTimeMs };
  } catch {
    return undefined;
  }
}

/** The ETag entries among an adapter's committed state (key → encoded entry). */
export function durableEtags(state: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of state) if (key.startsWith(KEY_PREFIX)) out.set(key, value);
  return out;
}

/**
 * The ETags a listing may send as If-None-Match: those committed in the ledger (seeded at each poll)
 * and those this process learned since. Sending a not-yet-durable ETag is safe: a 304 then yields the
 * observation the 200 gave, which the listing commits like any other. Durability only matters for
 * what is written to the ledger (see EtagCollector).
 */
export class EtagCache {
  private readonly entries = new Map<string, EtagEntry>();

  /** Adds committed entries this process does not know yet; what it learned itself is newer. */
  seed(durable: ReadonlyMap<string, string>): void {
    for (const [key, value] of durable) {
      if (this.entries.has(key)) continue;
      const entry = decodeEntry(value);
      if (entry) this.entries.set(key, entry);
    }
  }

  get(table: SourceTable): EtagEntry | undefined {
    return this.entries.get(etagKey(table));
  }

  /** A fresh load: remember its ETag, or forget the table's when the server sent none. */
  learn(table: SourceTable, entry: EtagEntry | undefined): void {
    if (entry) this.entries.set(etagKey(table), entry);
    else this.entries.delete(etagKey(table));
  }

  /** Keeps only the tables a complete listing saw, so dropped tables do not accumulate. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.entries.keys()) if (!keys.has(key)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * The ETags one listing yielded observations for, turned into ledger state once the pass that
 * consumed the listing has committed those observations. Tables the listing did not yield (gone,
 * filtered, without an ETag) lose their entry, so the ledger never keeps an ETag for a table whose
 * observation it does not hold.
 */
export class EtagCollector {
  /** Encoded entry, null (forget the ETag) or KEEP (leave whatever is committed). */
  private readonly seen = new Map<string, string | null | typeof KEEP>();
  /** Set when the listing ran to its end: only then is "not seen" a fact. */
  complete = false;

  record(table: SourceTable, entry: EtagEntry | undefined): void {
    this.seen.set(etagKey(table), entry ? encodeEntry(entry) : null);
  }

  /** Listed but not read this time (a failed load): its committed ETag, if any, stays valid. */
  keep(table: SourceTable): void {
    this.seen.set(etagKey(table), KEEP);
  }

  keys(): ReadonlySet<string> {
    return new Set(this.seen.keys());
  }

  /** State entries to commit: changed or new ETags, and deletions; empty when nothing changed. */
  changes(durable: ReadonlyMap<string, string>): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const [key, value] of this.seen) {
      if (value === KEEP) continue;
      if (value === null) {
        if (durable.has(key)) out[key] = null;
      } else if (durable.get(key) !== value) out[key] = value;
    }
    for (const key of durable.keys()) if (!this.seen.has(key)) out[key] = null;
    return out;
  }
}
