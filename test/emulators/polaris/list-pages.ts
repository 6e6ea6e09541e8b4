import { PolarisError } from './errors.js';

/**
 * Polaris's paged listings (the feature LIST_PAGINATION_ENABLED, `polaris.features."LIST_PAGINATION_ENABLED"`,
 * off by default). Off: `pageSize` and `pageToken` are ignored and every item comes in one answer, as
 * the Iceberg REST spec allows ("servers that do not support pagination"). On: an answer holds at most
 * `pageSize` items and a `next-page-token` while more follow (the token is opaque to clients; here it
 * names the last item given, so items added meanwhile are not skipped).
 */
export function listPage<T>(items: readonly T[], keyOf: (item: T) => string, query: URLSearchParams, enabled: boolean): { items: T[]; 'next-page-token'?: string } {
  if (!enabled) return { items: [...items] };
  const sizeText = query.get('pageSize');
  const size = sizeText === null ? undefined : Number(sizeText);
  if (size !== undefined && (!Number.isInteger(size) || size < 1)) throw new PolarisError(400, 'IllegalArgumentException', `Invalid pageSize: ${sizeText}`);
  const token = query.get('pageToken');
  const after = token === null || token === '' ? undefined : decodeToken(token);
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const start = after === undefined ? 0 : sorted.findIndex((item) => keyOf(item) > after);
  const rest = start < 0 ? [] : sorted.slice(start);
  if (size === undefined || rest.length <= size) return { items: rest };
  const page = rest.slice(0, size);
  return { items: page, 'next-page-token': Buffer.from(JSON.stringify({ after: keyOf(page.at(-1)!) })).toString('base64url') };
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
