import { dottedName, polarisDisplayName } from '../model/table.js';
import type { MirrorRow } from './rows.js';

export function ownedMessage(owner: string): string {
  return `owned by source ${owner}: it already mirrors this Polaris table`;
}

export function ownedHint(owner: string): string {
  return `two sources must not write the same Polaris table; give one a different target.catalog or namespacePrefix, or exclude the table from one of them (source ${owner} keeps it)`;
}

/**
 * What a row's table name (the source's or the Polaris one) must be for the row to match `name`: the
 * whole name or what follows any of its dots (a table name may itself hold dots). The ledgers read only
 * rows named one of these, then check them with matchesTableName, instead of reading every row.
 */
export function tableNameCandidates(name: string): string[] {
  const candidates = [name];
  for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) candidates.push(name.slice(dot + 1));
  return candidates;
}

/** `retry --table` accepts the source's dotted name ("sales.orders") or the Polaris one ("catalog.sales.orders"). */
export function matchesTableName(row: MirrorRow, name: string): boolean {
  return dottedName(row.table) === name || polarisDisplayName(row.target) === name;
}
