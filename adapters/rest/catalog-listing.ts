import { setMaxListeners } from 'node:events';
import type { ListedItem, SkippedTable } from '../../src/model/observation.js';
import type { SourceTable } from '../../src/model/table.js';
import { isDotSegment } from '../../src/normalizer/identifier.js';
import { MirrorError, messageOf } from '../../src/util/errors.js';
import type { EtagCache, EtagCollector } from './etag-cache.js';
import { ItemBuffer } from './item-buffer.js';
import type { CatalogSession, Page, RestCatalogClient } from './rest-client.js';
import { RestCatalogError } from './rest-error.js';
import { readTable } from './table-read.js';
import { WorkPool } from './work-pool.js';

export interface ListingDeps {
  readonly client: RestCatalogClient;
  readonly session: CatalogSession;
  /** Requests in flight: namespace pages, table pages and loads share it. */
  readonly concurrency: number;
  /** Filters and identifier checks: out-of-scope tables are reported as skipped, never loaded. */
  readonly outOfScope: (table: SourceTable) => SkippedTable | undefined;
  readonly cache: EtagCache;
  readonly collector: EtagCollector;
  readonly signal: AbortSignal;
  /** Told about each table whose load failed (it is skipped as load-failed). */
  readonly onLoadFailed: (table: SourceTable, error: unknown) => void;
}

/** Failed table loads in a row after which the listing stops instead of skipping one more table. */
const MAX_FAILED_LOADS_IN_A_ROW = 10;

/** Queued tasks above which no further table page is read: bounds the loads waiting in memory. */
const LOAD_BACKLOG = 1000;

/**
 * One complete listing of an Iceberg REST catalog: namespaces recursively (`parent`), the tables of
 * each, paged as the spec says, and a conditional load of every table in scope. Items stream out while
 * the walk goes on. It ends normally only when every page of every namespace was read: any failure
 * ends it with that error, so a half-finished listing can never look complete (and cause drops).
 *
 * A namespace or table that disappears while the walk runs is not an error: it is simply not listed,
 * and the engine confirms the absence (HEAD 404) before any DROP.
 */
export async function* listCatalog(deps: ListingDeps): AsyncGenerator<ListedItem> {
  const stop = new AbortController();
  const signal = AbortSignal.any([deps.signal, stop.signal]);
  // Every request in flight (and every retry wait) listens on it: not a leak, the concurrency.
  setMaxListeners(deps.concurrency * 3 + 10, signal);
  const buffer = new ItemBuffer<ListedItem>();
  const pool = new WorkPool({
    concurrency: deps.concurrency,
    backlog: LOAD_BACKLOG,
    signal,
    onDone: () => buffer.close(),
    onFailed: (error) => {
      buffer.fail(error);
      stop.abort();
    },
  });
  const namespaces = new Set<string>();
  const tables = new Set<string>();
  let failuresInARow = 0;

  const visitNamespace = (namespace: string[]): void => {
    const key = JSON.stringify(namespace);
    // A level "." or ".." cannot be addressed (its URL would reach another route) nor mirrored: its
    // tables, and everything below it, are out of reach.
    if (namespaces.has(key) || namespace.some(isDotSegment)) return;
    namespaces.add(key);
    pool.spawn(() => namespacePage(namespace, ''));
    pool.spawn(() => tablePage(namespace, ''), { gated: true });
  };

  /** One page of child namespaces ('' = the first); the next page is a task of its own. */
  const namespacePage = async (parent: string[], token: string): Promise<void> => {
    const page = await deps.client.namespacePage(deps.session, parent, token, signal);
    if (page === 'no-such-namespace') return; // dropped while listing: nothing under it any more
    // Only strict descendants: a server that ignores `parent` answers the top level again, and those
    // namespaces are already visited from the root.
    for (const child of page.items) {
      if (child.length > parent.length && parent.every((level, i) => child[i] === level)) visitNamespace(child);
    }
    const next = nextToken(page, token, `namespaces under ${parent.join('.') || 'the root'}`);
    if (next !== undefined) pool.spawn(() => namespacePage(parent, next));
  };

  /** One page of a namespace's tables: each table in scope becomes a load. */
  const tablePage = async (namespace: string[], token: string): Promise<void> => {
    const page = await deps.client.tablePage(deps.session, namespace, token, signal);
    if (page === 'no-such-namespace') return;
    for (const identifier of page.items) {
      const table: SourceTable = { namespace, name: identifier.name };
      const key = JSON.stringify([...namespace, identifier.name]);
      if (tables.has(key)) continue;
      tables.add(key);
      const skipped = deps.outOfScope(table);
      if (skipped) buffer.push({ kind: 'skipped', skipped });
      else pool.spawn(() => loadTable(table));
    }
    const next = nextToken(page, token, `tables of ${namespace.join('.')}`);
    if (next !== undefined) pool.spawn(() => tablePage(namespace, next), { gated: true });
  };

  const loadTable = async (table: SourceTable): Promise<void> => {
    await buffer.room();
    let read;
    try {
      read = await readTable(deps.client, deps.session, table, deps.cache, signal);
      failuresInARow = 0;
    } catch (error) {
      if (signal.aborted || !isOneTableFailure(error)) throw error;
      // One table the catalog will not serve (a 500 on its load, a 403 on it alone) must not hold up
      // every other table: it is listed — so never a drop candidate — but skipped this time, and its
      // committed ETag stays. Many failures in a row mean the catalog itself is failing: stop.
      if (++failuresInARow >= MAX_FAILED_LOADS_IN_A_ROW) {
        throw new MirrorError(`the source failed ${failuresInARow} table loads in a row, the last: ${messageOf(error)}`, {
          retryable: true,
          hint: error instanceof MirrorError ? error.hint : 'check that the catalog is up',
          cause: error,
        });
      }
      deps.collector.keep(table);
      deps.onLoadFailed(table, error);
      buffer.push({ kind: 'skipped', skipped: { table, reason: 'load-failed', detail: messageOf(error) } });
      return;
    }
    if (read.kind === 'gone') return; // dropped since the table page was read
    deps.collector.record(table, read.kind === 'observation' ? read.etag : undefined);
    buffer.push(read.kind === 'observation' ? { kind: 'observation', observation: read.observation } : { kind: 'skipped', skipped: read.skipped });
  };

  pool.spawn(() => namespacePage([], ''));
  try {
    yield* buffer.drain();
    deps.collector.complete = true;
    deps.cache.retain(deps.collector.keys());
  } finally {
    // The consumer stopped early (or a task failed): stop the walk and the loads still queued.
    stop.abort();
    pool.stop();
  }
}

/** A failure of one table's load (not of the catalog, the credentials or the connection as a whole). */
function isOneTableFailure(error: unknown): boolean {
  return error instanceof RestCatalogError && error.operation === 'load_table' && error.status !== 401 && error.status !== 419;
}

/**
 * The token of the next page, undefined after the last one (null, absent or empty: the spec's end).
 * A server answering the token it was just given would page forever: that is an error.
 */
function nextToken(page: Page<unknown>, token: string, what: string): string | undefined {
  if (page.next === undefined || page.next === '') return undefined;
  if (page.next === token) {
    throw new MirrorError(`the source catalog returned the same next-page-token twice while listing ${what}`, {
      retryable: false,
      hint: 'the catalog pages wrongly; set pageSize, or report it to the catalog',
    });
  }
  return page.next;
}
