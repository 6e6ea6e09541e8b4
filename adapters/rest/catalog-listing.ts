import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { MAX_NAMESPACE_DEPTH } from '../../src/model/limits.js';
import type { ListedItem, SkippedTable } from '../../src/model/observation.js';
import type { SourceTable } from '../../src/model/table.js';
import { isDotSegment } from '../../src/normalizer/identifier.js';
import { MirrorError, messageOf } from '../../src/util/errors.js';
import { decodeEntry, type EtagEntry } from './etag-entry.js';
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
  /** The ETag entries stored with the tables' observations (AdapterContext.storedVersions); none: full loads. */
  readonly storedVersions: ((tables: readonly SourceTable[]) => Promise<ReadonlyArray<string | undefined>>) | undefined;
  readonly signal: AbortSignal;
  /** Told about each table whose load failed (it is skipped as load-failed). */
  readonly onLoadFailed: (table: SourceTable, error: unknown) => void;
  /** Bounds of one listing; LISTING_LIMITS unless a test narrows them. */
  readonly limits?: ListingLimits;
}

/**
 * A catalog answering ever-new or cycling next-page-tokens, or namespaces ever deeper, would keep a
 * listing going forever (`plan` hung, `run` polled without end). Past these bounds the listing fails
 * with an error saying which one, so the pass records it and drops nothing.
 */
export interface ListingLimits {
  /** Pages of one listing of a namespace's children or tables. */
  readonly maxPages: number;
  /** Namespace levels. */
  readonly maxDepth: number;
  /** Namespaces in the whole catalog. */
  readonly maxNamespaces: number;
}

export const LISTING_LIMITS: ListingLimits = { maxPages: 10_000, maxDepth: MAX_NAMESPACE_DEPTH, maxNamespaces: 100_000 };

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
  const limits = deps.limits ?? LISTING_LIMITS;
  const namespaces = new Set<string>();
  let failuresInARow = 0;

  const visitNamespace = (namespace: string[]): void => {
    const key = JSON.stringify(namespace);
    // A level "." or ".." cannot be addressed (its URL would reach another route) nor mirrored: its
    // tables, and everything below it, are out of reach.
    if (namespaces.has(key) || namespace.some(isDotSegment)) return;
    if (namespace.length > limits.maxDepth) {
      throw new MirrorError(`the source catalog lists namespace ${namespace.slice(0, 3).join('.')}… ${namespace.length} levels deep, more than the ${limits.maxDepth} a listing follows`, {
        retryable: true,
        hint: 'the catalog answers ever deeper namespaces (a server ignoring `parent`, or a loop); nothing was dropped',
      });
    }
    if (namespaces.size >= limits.maxNamespaces) {
      throw new MirrorError(`the source catalog lists more than ${limits.maxNamespaces} namespaces, the most a listing follows`, {
        retryable: true,
        hint: 'mirror a part of the catalog with include globs (or another warehouse); nothing was dropped',
      });
    }
    namespaces.add(key);
    pool.spawn(() => namespacePage(namespace, '', new PageChain(`namespaces under ${namespace.join('.') || 'the root'}`, limits.maxPages)));
    // The names already listed in this namespace (a server may repeat one across pages): held only
    // while its table pages are read — and its next page goes ahead of namespaces not begun yet, so
    // only the few namespaces being read hold theirs: the listing's memory follows the largest
    // namespace, not the catalog.
    const listed = new Set<string>();
    pool.spawn(() => tablePage(namespace, '', new PageChain(`tables of ${namespace.join('.')}`, limits.maxPages), listed), { gated: true });
  };

  /** One page of child namespaces ('' = the first); the next page is a task of its own. */
  const namespacePage = async (parent: string[], token: string, chain: PageChain): Promise<void> => {
    const page = await deps.client.namespacePage(deps.session, parent, token, signal);
    if (page === 'no-such-namespace') return; // dropped while listing: nothing under it any more
    // Only strict descendants: a server that ignores `parent` answers the top level again, and those
    // namespaces are already visited from the root.
    for (const child of page.items) {
      if (child.length > parent.length && parent.every((level, i) => child[i] === level)) visitNamespace(child);
    }
    const next = chain.next(page);
    if (next !== undefined) pool.spawn(() => namespacePage(parent, next, chain));
  };

  /**
   * One page of a namespace's tables: each table in scope becomes a load, conditional on the ETag
   * stored with its observation (read from the ledger for the page at once).
   */
  const tablePage = async (namespace: string[], token: string, chain: PageChain, listed: Set<string>): Promise<void> => {
    const page = await deps.client.tablePage(deps.session, namespace, token, signal);
    if (page === 'no-such-namespace') return;
    const inScope: SourceTable[] = [];
    for (const identifier of page.items) {
      const table: SourceTable = { namespace, name: identifier.name };
      if (listed.has(identifier.name)) continue;
      listed.add(identifier.name);
      const skipped = deps.outOfScope(table);
      if (skipped) buffer.push({ kind: 'skipped', skipped });
      else inScope.push(table);
    }
    const next = chain.next(page);
    if (next !== undefined) pool.spawn(() => tablePage(namespace, next, chain, listed), { gated: true, ahead: true });
    const stored = inScope.length > 0 && deps.storedVersions ? await deps.storedVersions(inScope) : [];
    inScope.forEach((table, i) => {
      const entry = decodeEntry(stored[i]);
      pool.spawn(() => loadTable(table, entry));
    });
  };

  const loadTable = async (table: SourceTable, stored: EtagEntry | undefined): Promise<void> => {
    await buffer.room();
    let read;
    try {
      read = await readTable(deps.client, deps.session, table, stored, signal);
      failuresInARow = 0;
    } catch (error) {
      if (signal.aborted || !isOneTableFailure(error)) throw error;
      // One table the catalog will not serve (a 500 on its load, a 403 on it alone) must not hold up
      // every other table: it is listed — so never a drop candidate — but skipped this time, and the
      // ETag stored with its observation stays. Many failures in a row mean the catalog itself is failing: stop.
      if (++failuresInARow >= MAX_FAILED_LOADS_IN_A_ROW) {
        throw new MirrorError(`the source failed ${failuresInARow} table loads in a row, the last: ${messageOf(error)}`, {
          retryable: true,
          hint: error instanceof MirrorError ? error.hint : 'check that the catalog is up',
          cause: error,
        });
      }
      deps.onLoadFailed(table, error);
      buffer.push({ kind: 'skipped', skipped: { table, reason: 'load-failed', detail: messageOf(error) } });
      return;
    }
    if (read.kind === 'gone') return; // dropped since the table page was read
    buffer.push(read.kind === 'observation' ? { kind: 'observation', observation: read.observation } : { kind: 'skipped', skipped: read.skipped });
  };

  pool.spawn(() => namespacePage([], '', new PageChain('namespaces under the root', limits.maxPages)));
  try {
    yield* buffer.drain();
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
 * The pages of one listing (a namespace's children, or its tables), followed token by token. A server
 * answering a token it gave before (A, B, A, …) would page forever, and one answering ever-new tokens
 * would too: a repeat is an error at once, and so is a listing longer than maxPages. Tokens are
 * remembered by hash, so the memory this takes does not grow with what the server sends.
 */
class PageChain {
  private readonly seen = new Set<string>([digest('')]);

  constructor(
    private readonly what: string,
    private readonly maxPages: number,
  ) {}

  /** The token of the next page, undefined after the last one (null, absent or empty: the spec's end). */
  next(page: Page<unknown>): string | undefined {
    if (page.next === undefined || page.next === '') return undefined;
    const key = digest(page.next);
    if (this.seen.has(key)) {
      throw new MirrorError(`the source catalog returned a next-page-token it had already given while listing ${this.what}: its pages go round in a circle`, {
        retryable: true,
        hint: 'the catalog pages wrongly; set pageSize, or report it to the catalog. Nothing was dropped',
      });
    }
    if (this.seen.size >= this.maxPages) {
      throw new MirrorError(`the source catalog kept answering next-page-tokens past ${this.maxPages} pages while listing ${this.what}`, {
        retryable: true,
        hint: 'the catalog pages without end; raise pageSize, or report it to the catalog. Nothing was dropped',
      });
    }
    this.seen.add(key);
    return page.next;
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}
