import { dottedName, polarisDisplayName } from '../model/table.js';
import type { MirrorRow } from './rows.js';

export function ownedMessage(owner: string): string {
  return `owned by source ${owner}: it already mirrors this Polaris table`;
}

export function ownedHint(owner: string): string {
  return `two sources must not write the same Polaris table; give one a different target.catalog or namespacePrefix, or exclude the table from one of them (source ${owner} keeps it)`;
}

/** `retry --table` accepts the source's dotted name ("sales.orders") or the Polaris one ("catalog.sales.orders"). */
export function matchesTableName(row: MirrorRow, name: string): boolean {
  return dottedName(row.table) === name || polarisDisplayName(row.target) === name;
}
