import type Database from 'better-sqlite3';
import { joinNamespace, type SourceTable } from '../../model/table.js';
import type { RowsPageQuery } from '../row-reads.js';
import { toMirrorRow, type MirrorRow, type TableRecord } from '../rows.js';
import { rawRecords } from './raw-records.js';

const KEY = 'src_namespace, src_name, polaris, catalog';

/**
 * The scope as a range of the (source, src_namespace, …) key. SQLite compares text bytewise, so the
 * namespaces under "sales" (joined "sales" U+001F …) lie below "sales" U+0020 and at or above "sales"
 * U+001F ("salesX" is above the range, "sales" U+0001… is left out by the OR, whose other side is the
 * exact namespace). The lower bound of the range seek is the namespace itself on the first page and the
 * last row returned after it (see rowsPage).
 */
const SCOPES = {
  source: 'source = @source',
  namespace: `source = @source AND src_namespace < @ns || char(32) AND (src_namespace = @ns OR src_namespace >= @ns || char(31))`,
  table: 'source = @source AND src_namespace = @ns AND src_name = @name',
} as const;

type ReadRecords = (params: Record<string, unknown>) => TableRecord[];

/**
 * The SQLite side of RowReads (see ../row-reads.ts): read-only, so it works on a read-only open too.
 * Rows are read raw into fixed-shape records (rawRecords): `plan` pages through every row of a source,
 * twice per target, and building better-sqlite3's own row objects was most of its time.
 */
export class SqliteRowReads {
  private readonly pages = new Map<string, ReadRecords>();
  private readonly ofTables: ReadRecords;

  constructor(private readonly db: Database.Database) {
    // CROSS JOIN keeps json_each outside: one seek of the (source, namespace, name) key prefix per table.
    this.ofTables = rawRecords<TableRecord>(
      db.prepare(`SELECT t.* FROM json_each(@keys) AS j CROSS JOIN tables AS t
      WHERE t.source = @source AND t.src_namespace = j.value ->> 0 AND t.src_name = j.value ->> 1`),
    );
  }

  rowsPage(query: RowsPageQuery): MirrorRow[] {
    const scope = query.table !== undefined ? 'table' : query.namespace.length > 0 ? 'namespace' : 'source';
    const variant = `${scope}:${query.after ? 'after' : 'first'}`;
    let read = this.pages.get(variant);
    if (!read) {
      // The row value comparison is where the range seek starts (no OFFSET: a page costs its own rows);
      // with two lower bounds SQLite would seek from the namespace and filter its way to the page.
      const after = query.after
        ? ` AND (${KEY}) > (@afterNamespace, @afterName, @afterPolaris, @afterCatalog)`
        : scope === 'namespace' ? ' AND src_namespace >= @ns' : '';
      read = rawRecords<TableRecord>(this.db.prepare(`SELECT * FROM tables WHERE ${SCOPES[scope]}${after} ORDER BY ${KEY} LIMIT @limit`));
      this.pages.set(variant, read);
    }
    const params: Record<string, unknown> = { source: query.source, limit: query.limit };
    if (scope !== 'source') params.ns = joinNamespace(query.namespace);
    if (scope === 'table') params.name = query.table;
    if (query.after) {
      Object.assign(params, { afterNamespace: query.after.namespace, afterName: query.after.name, afterPolaris: query.after.polaris, afterCatalog: query.after.catalog });
    }
    return read(params).map(toMirrorRow);
  }

  rowsOfTables(source: string, tables: readonly SourceTable[]): MirrorRow[] {
    if (tables.length === 0) return [];
    // A table listed twice is asked once, so its rows come back once.
    const keys = `[${[...new Set(tables.map((t) => JSON.stringify([joinNamespace(t.namespace), t.name])))].join(',')}]`;
    return this.ofTables({ keys, source }).map(toMirrorRow);
  }
}
