import { joinNamespace, type SourceTable } from '../model/table.js';
import type { MirrorRow } from './rows.js';

/**
 * Where a page of a source's rows resumes: the row key after the last row returned (namespace levels
 * joined with U+001F, as stored).
 */
export interface RowKeyAfter {
  readonly namespace: string;
  readonly name: string;
  readonly polaris: string;
  readonly catalog: string;
}

/** One page of a source's rows: the whole source, a namespace and everything under it, or one table. */
export interface RowsPageQuery {
  readonly source: string;
  /** Namespace levels; empty: the whole source. "sales" holds sales and sales.eu, never salesX. */
  readonly namespace: readonly string[];
  /** One table of the namespace (an exact seek). */
  readonly table?: string;
  readonly after?: RowKeyAfter;
  readonly limit: number;
}

/**
 * Reads of a source's rows that never hold the whole source: `plan` and a scoped refresh over
 * 1,000,000 tables must not load every row (several GB of MirrorRow objects) to look at a few.
 */
export interface RowReads {
  /**
   * One page of the rows in scope, in the order of the (source, namespace, name, polaris, catalog) key,
   * so a page costs a range seek of its own rows. The order is the ledger's (bytewise on SQLite, the
   * database collation on PostgreSQL): callers page with `after`, they never compare keys themselves.
   */
  rowsPage(query: RowsPageQuery): Promise<MirrorRow[]>;
  /** Every row (one per target) of these tables of the source, set-wise; tables with no row are left out. */
  rowsOfTables(source: string, tables: readonly SourceTable[]): Promise<MirrorRow[]>;
}

/** Where the page after this row starts. */
export function keyAfter(row: MirrorRow): RowKeyAfter {
  return { namespace: joinNamespace(row.table.namespace), name: row.table.name, polaris: row.polaris, catalog: row.target.catalog };
}

/** Every row of a scope, a page at a time: memory holds one page whatever the source's size. */
export async function* pagedRows(reads: RowReads, query: Omit<RowsPageQuery, 'after'>): AsyncGenerator<MirrorRow[]> {
  let after: RowKeyAfter | undefined;
  for (;;) {
    const page = await reads.rowsPage({ ...query, after });
    if (page.length > 0) yield page;
    if (page.length < query.limit) return;
    after = keyAfter(page[page.length - 1]!);
  }
}
