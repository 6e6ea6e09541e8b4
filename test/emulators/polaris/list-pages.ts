import { PolarisError } from './errors.js';

/**
 * Polaris's paged listings (the feature LIST_PAGINATION_ENABLED, `polaris.features."LIST_PAGINATION_ENABLED"`,
 * off by default). Off: `pageSize` and `pageToken` are ignored and every item comes in one answer, as
 * the Iceberg REST spec allows ("servers that do not support pagination"). On: an answer holds at most
 * `pageSize` items and a `next-page-token` while more follow (the token is opaque to clients; here it
 * names the last item given, so items added meanwhile are not skipped). `sorted` is in `keyOf` order:
 * a page is found by binary search, so listing a namespace of 1,000,000 tables a page at a time costs
 * pages, not a sort of the namespace for each.
 */
export function listPage<T>(sorted: readonly T[], keyOf: (item: T) => string, query: URLSearchParams, enabled: boolean): { items: readonly T[]; 'next-page-token'?: string } {
  if (!enabled) return { items: sorted };
  const sizeText = query.get('pageSize');
  const size = sizeText === null ? undefined : Number(sizeText);
  if (size !== undefined && (!Number.isInteger(size) || size < 1)) throw new PolarisError(400, 'IllegalArgumentException', `Invalid pageSize: ${sizeText}`);
  const token = query.get('pageToken');
  const start = token === null || token === '' ? 0 : firstAfter(sorted, keyOf, decodeToken(token));
  const end = size === undefined ? sorted.length : Math.min(sorted.length, start + size);
  const items = sorted.slice(start, end);
  if (end >= sorted.length || items.length === 0) return { items };
  return { items, 'next-page-token': Buffer.from(JSON.stringify({ after: keyOf(items.at(-1)!) })).toString('base64url') };
}

/** The index of the first item whose key is above `after`. */
function firstAfter<T>(sorted: readonly T[], keyOf: (item: T) => string, after: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keyOf(sorted[middle]!) > after) high = middle;
    else low = middle + 1;
  }
  return low;
}

function decodeToken(token: string): string {
  try {
    const after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown }).after;
    if (typeof after === 'string') return after;
  } catch {
    // answered below
  }
  throw new PolarisError(400, 'IllegalArgumentException', `Invalid page token: ${token}`);
}
