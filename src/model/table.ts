/**
 * Table identifiers on both sides of the mirror.
 *
 * A source names a table by namespace levels plus a name (a Glue database is one level, an Iceberg REST
 * namespace can be many). Polaris names it by catalog + namespace levels + name. The normalizer maps one
 * to the other; everything else only passes these values around.
 */

/** A table as the source names it. */
export interface SourceTable {
  readonly namespace: readonly string[];
  readonly name: string;
}

/** A table as Polaris names it: the catalog is the URL prefix of the Iceberg REST API. */
export interface PolarisTable {
  readonly catalog: string;
  readonly namespace: readonly string[];
  readonly name: string;
}

/**
 * "sales.orders" — the dotted form users write in include/exclude globs and see in status output.
 * Dots inside a level are not escaped: the form is for humans and globs, never parsed back for identity.
 */
export function dottedName(table: SourceTable): string {
  return [...table.namespace, table.name].join('.');
}

/** "lake_mirror.sales.orders" — how a Polaris table is shown to operators. */
export function polarisDisplayName(table: PolarisTable): string {
  return [table.catalog, ...table.namespace, table.name].join('.');
}

/**
 * U+001F joins namespace levels in Polaris URLs. It is also a safe separator for ledger keys, because a
 * level containing it cannot be represented in Polaris and is rejected by the normalizer.
 */
export const NAMESPACE_SEPARATOR = '\u001f';

export function joinNamespace(levels: readonly string[]): string {
  return levels.join(NAMESPACE_SEPARATOR);
}

export function splitNamespace(joined: string): string[] {
  return joined === '' ? [] : joined.split(NAMESPACE_SEPARATOR);
}
