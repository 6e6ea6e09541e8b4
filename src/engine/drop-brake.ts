import type { MirrorRow } from '../ledger/rows.js';

/**
 * The mass-drop brake. A listing that comes back nearly empty (a wrong root, a permission change, an
 * outage that still answers) must not wipe the mirror: when more than maxDropFraction of a source's
 * mirrored tables would be dropped, the pass drops nothing and says so.
 */
export interface DropDecision<T extends Mirrored = Mirrored> {
  readonly candidates: readonly T[];
  readonly mirrored: number;
  readonly refused: boolean;
  readonly reason?: string;
}

/** A table the mirror holds for a source (or is about to): only its name matters to the brake. */
export interface Mirrored {
  readonly table: { readonly namespace: readonly string[]; readonly name: string };
}

/**
 * The rows of a source the source wants mirrored: what a listing is measured against. A table whose DROP
 * is already decided but not applied (desired absent, still in Polaris) is not counted: it is not a new
 * decision, and counting it again on every pass would let a few DROPs stuck behind a failure push every
 * later pass over maxDropFraction (the brake would then hold every drop for good).
 */
export function wantedRows(rows: readonly MirrorRow[]): MirrorRow[] {
  return rows.filter((row) => row.desired.state === 'present');
}

/** DROPs decided by an earlier pass that Polaris has not applied yet. */
export function pendingDropRows(rows: readonly MirrorRow[]): MirrorRow[] {
  return rows.filter((row) => row.desired.state === 'absent' && row.applied.state === 'present');
}

/**
 * Wanted tables that the complete listing did not return. Callers pass only wanted tables (a reconciler
 * reads just their names from the ledger: a 100,000-table source need not load every row).
 */
export function dropCandidates<T extends Mirrored>(live: readonly T[], listed: ReadonlySet<string>): { candidates: T[]; mirrored: number } {
  return { candidates: live.filter((row) => !listed.has(rowKey(row.table))), mirrored: live.length };
}

export function decideDrops<T extends Mirrored>(
  live: readonly T[],
  listed: ReadonlySet<string>,
  maxDropFraction: number,
  allowMassDrop: boolean,
): DropDecision<T> {
  const { candidates, mirrored } = dropCandidates(live, listed);
  if (candidates.length === 0 || allowMassDrop) return { candidates, mirrored, refused: false };
  const fraction = candidates.length / Math.max(1, mirrored);
  if (fraction <= maxDropFraction) return { candidates, mirrored, refused: false };
  return {
    candidates,
    mirrored,
    refused: true,
    reason:
      `refusing to drop ${candidates.length} of ${mirrored} mirrored tables (${Math.round(fraction * 100)}% > maxDropFraction ` +
      `${Math.round(maxDropFraction * 100)}%): the listing may be incomplete or wrongly scoped`,
  };
}

export const MASS_DROP_HINT =
  'check the source (root, credentials, filters); if the tables really are gone, run once with --allow-mass-drop or raise maxDropFraction';

/** Identity of a source table within its source. */
export function rowKey(table: { namespace: readonly string[]; name: string }): string {
  return JSON.stringify([...table.namespace, table.name]);
}
