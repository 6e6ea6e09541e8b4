import type { SourceTable } from '../model/table.js';

/** How many rows a source wants mirrored, and how many of them a pass has not seen. */
export interface UnseenCounts {
  /** Rows of the source it wants mirrored (the mass-drop brake's denominator; DROPs already decided are not). */
  readonly mirrored: number;
  /** Those the pass did not list: its drop candidates. */
  readonly unseen: number;
}

export interface UnseenTable {
  readonly id: number;
  readonly table: SourceTable;
}

/**
 * Drops decided in the ledger, so a pass over 1,000,000 tables holds none of them in memory: as the
 * listing streams in, each listed table's row is stamped with the pass's stamp (never lowered, so
 * overlapping passes cannot undo each other); once the listing is complete, the wanted rows left with an
 * older stamp are the tables it did not return (rows whose DROP is already decided are left out).
 */
export interface PassStamps {
  /** Stamps these tables of the source (rows that do not exist are left alone). */
  markSeen(source: string, tables: readonly SourceTable[], stamp: number): Promise<void>;
  unseenCounts(source: string, stamp: number): Promise<UnseenCounts>;
  /** One page of the unseen wanted rows, in id order after `afterId`. */
  unseenTables(source: string, stamp: number, afterId: number, limit: number): Promise<UnseenTable[]>;
}

let lastStamp = 0;

/**
 * A pass's stamp: the time it starts, made unique and rising within this process. Across processes a
 * clock ahead only makes rows look seen by later passes: a drop is then missed until the next pass,
 * never made wrongly.
 */
export function newPassStamp(now = Date.now()): number {
  lastStamp = Math.max(Math.trunc(now), lastStamp + 1);
  return lastStamp;
}
