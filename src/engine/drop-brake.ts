import type { MirrorRow } from '../ledger/rows.js';

/**
 * The mass-drop brake. A listing that comes back nearly empty (a wrong root, a permission change, an
 * outage that still answers) must not wipe the mirror: when more than maxDropFraction of a source's
 * mirrored tables would be dropped, the pass drops nothing and says so.
 */
export interface DropDecision {
  readonly candidates: readonly MirrorRow[];
  readonly mirrored: number;
  readonly refused: boolean;
  readonly reason?: string;
}

/** Rows this source wants present (or Polaris holds for it) that the complete listing did not return. */
export function dropCandidates(rows: readonly MirrorRow[], listed: ReadonlySet<string>): { candidates: MirrorRow[]; mirrored: number } {
  const live = rows.filter((row) => row.desired.state === 'present' || row.applied.state === 'present');
  return { candidates: live.filter((row) => !listed.has(rowKey(row.table))), mirrored: live.length };
}

export function decideDrops(
  rows: readonly MirrorRow[],
  listed: ReadonlySet<string>,
  maxDropFraction: number,
  allowMassDrop: boolean,
): DropDecision {
  const { candidates, mirrored } = dropCandidates(rows, listed);
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
