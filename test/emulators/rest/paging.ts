// Listing pages exactly as the spec's PageToken describes:
// - no pageToken parameter → everything in one answer, `next-page-token: null`;
// - pageToken present (an empty one starts paging) → one page of at most min(pageSize, the server's
//   maximum) items, with `next-page-token` set while more remain and null on the last page;
// - a server without paging ignores pageToken and omits `next-page-token`.
// Tokens are opaque to clients; here they hold the last key returned (keyset paging: a table created
// or dropped between two pages shifts nothing) and the page number (for fault targeting).
import { RestError } from './errors.js';

export interface PageRequest {
  /** null: the parameter was absent. */
  readonly token: string | null;
  readonly size: number | undefined;
  /** 1-based number of the page asked for; undefined when not paging. */
  readonly number: number | undefined;
  readonly after: string | undefined;
}

export function pageRequest(query: URLSearchParams, paging: boolean): PageRequest {
  const token = query.get('pageToken');
  const sizeText = query.get('pageSize');
  let size: number | undefined;
  if (sizeText !== null) {
    size = Number(sizeText);
    if (!Number.isInteger(size) || size < 1) throw new RestError(400, 'BadRequestException', `Invalid pageSize: ${sizeText}`);
  }
  if (!paging || token === null) return { token, size, number: undefined, after: undefined };
  if (token === '') return { token, size, number: 1, after: undefined };
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { a?: unknown; p?: unknown };
    if (typeof decoded.a !== 'string' || typeof decoded.p !== 'number') throw new Error('bad token');
    return { token, size, number: decoded.p + 1, after: decoded.a };
  } catch {
    throw new RestError(400, 'BadRequestException', `Invalid pageToken: ${token}`);
  }
}

/** The page's items and the `next-page-token` field (omitted by a server that does not page). */
export function page<T>(sorted: readonly T[], keyOf: (item: T) => string, request: PageRequest, options: { paging: boolean; maxPageSize: number }): { items: T[]; next: { 'next-page-token'?: string | null } } {
  if (!options.paging) return { items: [...sorted], next: {} };
  if (request.token === null) return { items: [...sorted], next: { 'next-page-token': null } };
  const start = request.after === undefined ? 0 : sorted.findIndex((item) => keyOf(item) > request.after!);
  const from = start < 0 ? sorted.length : start;
  const size = Math.min(request.size ?? options.maxPageSize, options.maxPageSize);
  const items = sorted.slice(from, from + size);
  const more = from + size < sorted.length && items.length > 0;
  const token = more ? Buffer.from(JSON.stringify({ a: keyOf(items[items.length - 1]!), p: request.number! })).toString('base64url') : null;
  return { items, next: { 'next-page-token': token } };
}
