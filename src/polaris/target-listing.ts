import type { PolarisConfig } from '../config/schema.js';
import { backoffDelay } from '../util/backoff.js';
import { sleep } from '../util/sleep.js';
import { classifyError, classifyResponse } from './classify.js';
import { ResponseTooLargeError, type HttpResponse } from './http.js';
import { namespaceSegment } from './paths.js';
import type { PolarisClient } from './polaris-client.js';

/** Bounds of one target listing: a catalog larger or deeper than this is reported incomplete, never acted on. */
export const TARGET_LISTING_LIMITS = { namespaces: 100_000, tables: 1_000_000, depth: 16, pages: 100_000 } as const;

/**
 * Items asked per listing page (`pageSize`). Polaris pages its listings only with its
 * LIST_PAGINATION_ENABLED feature on (off by default); without it, it answers every item at once.
 */
export const LISTING_PAGE_SIZE = 1000;

/** Reads a listing page by page: each page's items go to `onPage` when given, else are gathered and returned; a string is why it stopped. */
type Page = (path: string, key: 'namespaces' | 'identifiers', onPage?: (items: unknown[]) => void) => Promise<unknown[] | string>;

/** How a listing asks again after a transient answer: the instance's retry policy (polaris.retry). */
export type ListingRetry = PolarisConfig['retry'];

/**
 * One page, asked again after a transient answer (429, 5xx, a timeout, a reset) with the instance's
 * backoff, as a notification would be. A check reads a page per namespace: without this, one 503
 * among thousands of pages abandoned the whole check, and a target that answers 503 now and then was
 * never checked to the end (its lost tables never refilled).
 */
async function pageWithRetry(client: PolarisClient, catalog: string, path: string, retry: ListingRetry, signal?: AbortSignal): Promise<HttpResponse> {
  for (let attempt = 1; ; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      const response = await client.listPage(catalog, path, signal);
      if (response.status === 200 || response.status === 404) return response;
      const verdict = classifyResponse(response, { catalog });
      if (verdict.kind !== 'retry' || attempt >= retry.maxAttempts || signal?.aborted) return response;
      retryAfterMs = verdict.retryAfterMs;
    } catch (error) {
      if (classifyError(error).kind !== 'retry' || attempt >= retry.maxAttempts || signal?.aborted) throw error;
    }
    await sleep(backoffDelay(attempt - 1, { ...retry, retryAfterMs }), signal);
  }
}

/** One listing's page reader: follows next-page-token, counts pages against the bound; a string is why it stopped. */
function pager(client: PolarisClient, catalog: string, retry: ListingRetry, signal?: AbortSignal): Page {
  let pages = 0;
  return async (path, key, onPage) => {
    const items: unknown[] = [];
    // Asked with pageSize; once more without it if the first answer is exactly a full page with no
    // next-page-token: a server that applied the size as a bare limit would otherwise cut the listing
    // short unseen, and every table past the cut would count as lost. (A server that does not page, as
    // Polaris by default, answers more than a page at once: taken as it is, not asked twice.)
    let base = `${path}${path.includes('?') ? '&' : '?'}pageSize=${LISTING_PAGE_SIZE}`;
    let token: string | undefined;
    let first = true;
    for (;;) {
      if (++pages > TARGET_LISTING_LIMITS.pages) return `more than ${TARGET_LISTING_LIMITS.pages} listing pages`;
      const response = await pageWithRetry(client, catalog, token === undefined ? base : `${base}${base.includes('?') ? '&' : '?'}pageToken=${encodeURIComponent(token)}`, retry, signal);
      if (response.status === 404 && first) return [];
      if (response.status !== 200) return `listing ${path} answered HTTP ${response.status}`;
      const body = response.body as Record<string, unknown> | undefined;
      const found = body?.[key];
      if (!Array.isArray(found)) return `listing ${path} answered without "${key}"`;
      const given = body?.['next-page-token'];
      token = typeof given === 'string' && given !== '' ? given : undefined;
      if (first && token === undefined && found.length === LISTING_PAGE_SIZE && base !== path) {
        base = path;
        continue;
      }
      first = false;
      if (onPage) onPage(found);
      else pushAll(items, found);
      if (token === undefined) return items;
    }
  };
}

export type NamespaceListing = { readonly complete: true; readonly namespaces: string[][] } | { readonly complete: false; readonly reason: string };

/**
 * Every namespace of a Polaris catalog under a prefix (the prefix itself included when given), level by
 * level. Only names are held: at most TARGET_LISTING_LIMITS.namespaces of them.
 */
export async function listTargetNamespaces(client: PolarisClient, catalog: string, under: readonly string[], retry: ListingRetry, signal?: AbortSignal): Promise<NamespaceListing> {
  const page = pager(client, catalog, retry, signal);
  const found: string[][] = [];
  const queue: string[][] = under.length > 0 ? [[...under]] : [];
  try {
    if (under.length === 0) {
      const top = await page('/namespaces', 'namespaces');
      if (typeof top === 'string') return { complete: false, reason: top };
      pushAll(queue, top.filter(isLevels));
    }
    while (queue.length > 0) {
      const namespace = queue.shift()!;
      found.push(namespace);
      if (found.length > TARGET_LISTING_LIMITS.namespaces) return { complete: false, reason: `more than ${TARGET_LISTING_LIMITS.namespaces} namespaces` };
      if (namespace.length >= TARGET_LISTING_LIMITS.depth) continue;
      const children = await page(`/namespaces?parent=${namespaceSegment(namespace)}`, 'namespaces');
      if (typeof children === 'string') return { complete: false, reason: children };
      pushAll(queue, children.filter(isLevels).filter((child) => child.length === namespace.length + 1));
    }
  } catch (error) {
    return { complete: false, reason: listingFailure(error, under) };
  }
  return { complete: true, namespaces: found };
}

export type NamespaceTables = { readonly complete: true } | { readonly complete: false; readonly reason: string };

/**
 * The names of one namespace's tables, handed to `add` a page at a time (a namespace Polaris does not
 * have has none): the caller decides where a million of them are kept.
 */
export async function listNamespaceTables(
  client: PolarisClient,
  catalog: string,
  namespace: readonly string[],
  retry: ListingRetry,
  add: (names: string[]) => void,
  signal?: AbortSignal,
): Promise<NamespaceTables> {
  let listed = 0;
  try {
    const stopped = await pager(client, catalog, retry, signal)(`/namespaces/${namespaceSegment(namespace)}/tables`, 'identifiers', (identifiers) => {
      listed += identifiers.length;
      if (listed > TARGET_LISTING_LIMITS.tables) throw new ListingTooLong(`more than ${TARGET_LISTING_LIMITS.tables} tables in one namespace`);
      const names: string[] = [];
      for (const id of identifiers) {
        const name = (id as { name?: unknown }).name;
        if (typeof name === 'string') names.push(name);
      }
      add(names);
    });
    if (typeof stopped === 'string') return { complete: false, reason: stopped };
    return { complete: true };
  } catch (error) {
    return { complete: false, reason: listingFailure(error, namespace) };
  }
}

/** A listing past TARGET_LISTING_LIMITS: it stops at once rather than read pages it will not use. */
class ListingTooLong extends Error {}

/**
 * Why a listing failed. An answer over the listing page's size limit is a namespace too large for one
 * answer: Polaris sends its listings whole unless its pagination is turned on.
 */
function listingFailure(error: unknown, namespace: readonly string[]): string {
  if (!(error instanceof ResponseTooLargeError)) return (error as Error).message;
  const where = namespace.length > 0 ? `namespace "${namespace.join('.')}"` : 'the catalog';
  return `${(error as Error).message}: Polaris listed ${where} in one answer; turn on its paged listings (polaris.features."LIST_PAGINATION_ENABLED"=true) so that it answers ${LISTING_PAGE_SIZE} at a time`;
}

/**
 * Appends one by one: `push(...items)` passes every item as an argument, and a listing answer of 100,000
 * items overflowed the stack ("Maximum call stack size exceeded"), so such a namespace was never checked.
 */
function pushAll<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item);
}

function isLevels(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((level) => typeof level === 'string');
}
