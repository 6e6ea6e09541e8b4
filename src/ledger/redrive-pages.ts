/**
 * How a retry of every failed table (`sync`'s start, `retry --all-failed`, the console's "retry all")
 * reads them: a page of a source's failed rows at a time, in the order of their partial index
 * `tables_failed` (updated_at, then id), each page redriven in a transaction of its own. A mass failure
 * (Polaris refusing a whole first sync) leaves a million failed rows; read whole they took gigabytes and
 * held a daemon's loop for minutes.
 */

/** Failed rows read and redriven per transaction. */
export const REDRIVE_PAGE = 1000;

/** Where the next page starts: after this row, in (updated_at, id) order. */
export interface RedriveCursor {
  readonly updatedAt: number;
  readonly id: number;
}

/** Before every row: updated_at is a time in milliseconds, never negative. */
export const REDRIVE_START: RedriveCursor = { updatedAt: -1, id: 0 };

export interface RedrivePage {
  /** The rows made due (a row whose owner still holds its table stays failed). */
  readonly ids: number[];
  /** The last row read, redriven or not; undefined once a page came back short (the last page). */
  readonly next: RedriveCursor | undefined;
}

/** The next page's cursor, from the rows a page read in (updated_at, id) order. */
export function nextCursor(read: ReadonlyArray<{ updatedAt: number; id: number }>, limit: number): RedriveCursor | undefined {
  const last = read.at(-1);
  return last === undefined || read.length < limit ? undefined : { updatedAt: last.updatedAt, id: last.id };
}
