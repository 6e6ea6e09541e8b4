/**
 * How a retry of every failed table (`sync`'s start, `retry --all-failed`, the console's "retry all")
 * reads them: a page of a source's failed rows at a time, in the order of their partial index
 * `tables_failed` (updated_at, then id), each page redriven in a transaction of its own. A mass failure
 * (Polaris refusing a whole first sync) leaves a million failed rows; read whole they took gigabytes and
 * held a daemon's loop for minutes.
 */
import type { RedriveFilter } from './ledger.js';
import { splitNamespace } from '../model/table.js';
import type { MirrorRow } from './rows.js';

/** Failed rows read and redriven per transaction. */
export const REDRIVE_PAGE = 1000;

/**
 * What a redrive reads of a failed row: its place in the page order, its scope, and whether another
 * source holds its table. The whole row (37 columns) cost about twice as much to build as the rest of
 * a page's work.
 */
export type RedriveCandidate = Pick<MirrorRow, 'id' | 'updatedAt' | 'source' | 'polaris' | 'target' | 'ownerConflict'>;

/** The columns a page reads, in toRedriveCandidate's order. */
export const REDRIVE_COLUMNS = 'id, updated_at, source, polaris, catalog, namespace, name, owner_conflict';

type RedriveColumns = [id: number, updatedAt: number, source: string, polaris: string | null, catalog: string, namespace: string, name: string, ownerConflict: string | null];

export function toRedriveCandidate(columns: unknown[]): RedriveCandidate {
  const [id, updatedAt, source, polaris, catalog, namespace, name, ownerConflict] = columns as RedriveColumns;
  return { id, updatedAt, source, polaris: polaris ?? 'default', target: { catalog, namespace: splitNamespace(namespace), name }, ownerConflict };
}

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

/** What a ledger gives the page loop below: its three steps, each synchronous or not. */
export interface FailedRowPages {
  /** The sources a redrive covers: the filter's, or every one with a failed table. */
  failedSources(filter: RedriveFilter): string[] | Promise<string[]>;
  /** The source's newest failure when the redrive begins: tables failing again meanwhile do not keep it going. */
  failedUntil(source: string): number | Promise<number>;
  /** One page after the cursor (up to `until`), redriven in one transaction. */
  redriveFailedPage(source: string, filter: RedriveFilter, after: RedriveCursor, until: number, now: number): RedrivePage | Promise<RedrivePage>;
}

/**
 * Redrives every failed row the filter covers, source by source and page by page; returns the ids made
 * due. `beforePage` runs before each page: SQLite's ledger gives its loop back there, so a daemon's
 * events go on during a retry of a million failed tables.
 */
export async function redriveFailedPages(pages: FailedRowPages, filter: RedriveFilter, now: number, beforePage?: () => Promise<void>): Promise<number[]> {
  const ids: number[] = [];
  for (const source of await pages.failedSources(filter)) {
    const until = await pages.failedUntil(source);
    for (let after: RedriveCursor | undefined = REDRIVE_START; after !== undefined; ) {
      await beforePage?.();
      const page = await pages.redriveFailedPage(source, filter, after, until, now);
      for (const id of page.ids) ids.push(id);
      after = page.next;
    }
  }
  return ids;
}
