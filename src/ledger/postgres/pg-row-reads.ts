import { joinNamespace, type SourceTable } from '../../model/table.js';
import type { RowsPageQuery } from '../row-reads.js';

const KEY = 'src_namespace, src_name, polaris, catalog';

/**
 * The scope on the (source, src_namespace, …) key. The database's collation may not be bytewise (a
 * glibc or ICU locale ignores U+001F when ordering), so a namespace prefix is tested by equality of the
 * leading characters, which every deterministic collation compares bytewise: "sales" U+001F… is under
 * "sales", "salesX" is not. The page walks the source's key range in the index's own order.
 */
const SCOPES = {
  source: 'source = $1',
  namespace: 'source = $1 AND (src_namespace = $2 OR left(src_namespace, length($2) + 1) = $2 || chr(31))',
  table: 'source = $1 AND src_namespace = $2 AND src_name = $3',
} as const;

/** One page of RowsPageQuery as a statement and its parameters (see ../row-reads.ts). */
export function rowsPageSql(query: RowsPageQuery): { text: string; params: unknown[] } {
  const scope = query.table !== undefined ? 'table' : query.namespace.length > 0 ? 'namespace' : 'source';
  const params: unknown[] = [query.source];
  if (scope !== 'source') params.push(joinNamespace(query.namespace));
  if (scope === 'table') params.push(query.table);
  let after = '';
  if (query.after) {
    const n = params.length;
    // A row comparison orders as ORDER BY does (same collation), so the pages neither skip nor repeat.
    after = ` AND (${KEY}) > ($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4})`;
    params.push(query.after.namespace, query.after.name, query.after.polaris, query.after.catalog);
  }
  params.push(query.limit);
  return { text: `SELECT * FROM tables WHERE ${SCOPES[scope]}${after} ORDER BY ${KEY} LIMIT $${params.length}`, params };
}

/** $1 source, $2 namespaces, $3 names: every row of these tables (each asked once). */
export const ROWS_OF_TABLES_SQL = `SELECT t.* FROM tables t
  JOIN (SELECT DISTINCT ns, name FROM unnest($2::text[], $3::text[]) AS k(ns, name)) AS k ON t.src_namespace = k.ns AND t.src_name = k.name
  WHERE t.source = $1`;

export function rowsOfTablesParams(source: string, tables: readonly SourceTable[]): unknown[] {
  return [source, tables.map((t) => joinNamespace(t.namespace)), tables.map((t) => t.name)];
}
