import type { TargetCounts } from './ledger.js';

/** A row of TARGET_COUNTS_SQL as either driver returns it (PostgreSQL sums come back as strings). */
export interface TargetCountRecord {
  source: string;
  polaris: string;
  catalog: string;
  total: number | string | null;
  in_sync: number | string | null;
  pending: number | string | null;
  failed: number | string | null;
}

export function toTargetCounts(r: TargetCountRecord): TargetCounts {
  return { source: r.source, polaris: r.polaris, catalog: r.catalog, total: Number(r.total ?? 0), inSync: Number(r.in_sync ?? 0), pending: Number(r.pending ?? 0), failed: Number(r.failed ?? 0) };
}
