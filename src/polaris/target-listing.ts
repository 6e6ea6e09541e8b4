import type { PolarisConfig } from '../config/schema.js';
import { backoffDelay } from '../util/backoff.js';
import { sleep } from '../util/sleep.js';
import { classifyError, classifyResponse } from './classify.js';
import type { HttpResponse } from './http.js';
import { namespaceSegment } from './paths.js';
import type { PolarisClient } from './polaris-client.js';

/** Bounds of one target listing: a catalog larger or deeper than this is reported incomplete, never acted on. */
export const TARGET_LISTING_LIMITS = { namespaces: 100_000, tables: 1_000_000, depth: 16, pages: 100_000 } as const;

type Page = (path: string, key: 'namespaces' | 'identifiers') => Promise<unknown[] | string>;

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
  return async (path, key) => {
    const items: unknown[] = [];
    let token: string | undefined;
    do {
      if (++pages > TARGET_LISTING_LIMITS.pages) return `more than ${TARGET_LISTING_LIMITS.pages} listing pages`;
      const separator = path.includes('?') ? '&' : '?';
      const response = await pageWithRetry(client, catalog, token === undefined ? path : `${path}${separator}pageToken=${encodeURIComponent(token)}`, retry, signal);
      if (response.status === 404 && items.length === 0) return [];
      if (response.status !== 200) return `listing ${path} answered HTTP ${response.status}`;
      const body = response.body as Record<string, unknown> | undefined;
      const found = body?.[key];
      if (!Array.isArray(found)) return `listing ${path} answered without "${key}"`;
      items.push(...found);
      const next = body?.['next-page-token'];
      token = typeof next === 'string' && next !== '' ? next : undefined;
    } while (token !== undefined);
    return items;
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
      queue.push(...top.filter(isLevels));
    }
    while (queue.length > 0) {
      const namespace = queue.shift()!;
      found.push(namespace);
      if (found.length > TARGET_LISTING_LIMITS.namespaces) return { complete: false, reason: `more than ${TARGET_LISTING_LIMITS.namespaces} namespaces` };
      if (namespace.length >= TARGET_LISTING_LIMITS.depth) continue;
      const children = await page(`/namespaces?parent=${namespaceSegment(namespace)}`, 'namespaces');
      if (typeof children === 'string') return { complete: false, reason: children };
      queue.push(...children.filter(isLevels).filter((child) => child.length === namespace.length + 1));
    }
  } catch (error) {
    return { complete: false, reason: (error as Error).message };
  }
  return { complete: true, namespaces: found };
}

export type NamespaceTables = { readonly complete: true; readonly names: string[] } | { readonly complete: false; readonly reason: string };

/** The names of one namespace's tables (a namespace Polaris does not have has none). */
export async function listNamespaceTables(client: PolarisClient, catalog: string, namespace: readonly string[], retry: ListingRetry, signal?: AbortSignal): Promise<NamespaceTables> {
  try {
    const identifiers = await pager(client, catalog, retry, signal)(`/namespaces/${namespaceSegment(namespace)}/tables`, 'identifiers');
    if (typeof identifiers === 'string') return { complete: false, reason: identifiers };
    const names: string[] = [];
    for (const id of identifiers) {
      const name = (id as { name?: unknown }).name;
      if (typeof name === 'string') names.push(name);
    }
    if (names.length > TARGET_LISTING_LIMITS.tables) return { complete: false, reason: `more than ${TARGET_LISTING_LIMITS.tables} tables in one namespace` };
    return { complete: true, names };
  } catch (error) {
    return { complete: false, reason: (error as Error).message };
  }
}

function isLevels(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((level) => typeof level === 'string');
}
