// The handlers of the REST emulator, one per operation of the spec it serves: /v1/config,
// list namespaces (with `parent`), list tables, loadTable (snapshots, ETag / If-None-Match → 304)
// and HEAD table.
import { randomUUID } from 'node:crypto';
import type { CatalogState } from './catalog.js';
import { noSuchNamespace, noSuchTable, RestError } from './errors.js';
import { page, pageRequest } from './paging.js';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteSettings {
  prefix: string | null;
  warehouse: string | undefined;
  paging: boolean;
  maxPageSize: number;
  etags: boolean;
  endpoints: 'served' | 'omitted' | readonly string[];
  advertiseEvents: boolean;
  /** A broken or hostile server's listings (see PagingMisbehavior); undefined: the spec's. */
  misbehavior?: PagingMisbehavior;
}

/**
 * Listings that never end, as a broken server answers them:
 * - cycling-tokens: every page is the first one again, with next-page-token alternating A, B, A, …;
 * - endless-tokens: every page is the first one again, with a new next-page-token each time;
 * - endless-depth: every namespace has one child namespace, one level deeper, without end.
 */
export type PagingMisbehavior = 'cycling-tokens' | 'endless-tokens' | 'endless-depth';

/** For the token misbehaviors: the query the honest handler answers (the first page), and the token sent instead. */
function hostilePaging(settings: RouteSettings, query: URLSearchParams): { query: URLSearchParams; next: string } | undefined {
  const mode = settings.misbehavior;
  const token = query.get('pageToken');
  if ((mode !== 'cycling-tokens' && mode !== 'endless-tokens') || token === null) return undefined;
  const honest = new URLSearchParams(query);
  honest.set('pageToken', '');
  return { query: honest, next: mode === 'cycling-tokens' ? (token === 'cycle-a' ? 'cycle-b' : 'cycle-a') : `endless-${randomUUID()}` };
}

export const SERVED_ENDPOINTS = [
  'GET /v1/{prefix}/namespaces',
  'GET /v1/{prefix}/namespaces/{namespace}/tables',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}',
];
export const EVENTS_ENDPOINT = 'POST /v1/{prefix}/events';

export function getConfig(settings: RouteSettings, query: URLSearchParams): Reply {
  const warehouse = query.get('warehouse');
  if (settings.warehouse !== undefined && warehouse !== settings.warehouse) {
    throw new RestError(404, 'NoSuchWarehouseException', `The given warehouse does not exist: ${warehouse ?? '(none given)'}`);
  }
  const listed = settings.endpoints === 'served' ? SERVED_ENDPOINTS : settings.endpoints === 'omitted' ? undefined : [...settings.endpoints];
  const endpoints = listed && settings.advertiseEvents ? [...listed, EVENTS_ENDPOINT] : listed;
  return {
    status: 200,
    body: {
      defaults: {},
      overrides: settings.prefix === null ? {} : { prefix: settings.prefix },
      ...(endpoints ? { endpoints } : {}),
    },
  };
}

export function listNamespaces(catalog: CatalogState, settings: RouteSettings, query: URLSearchParams): Reply {
  // "For backward compatibility, empty string is treated as absent."
  const parentText = query.get('parent');
  const parent = parentText === null || parentText === '' ? [] : parentText.split('\u001f');
  if (settings.misbehavior === 'endless-depth') return { status: 200, body: { namespaces: [[...parent, `level${parent.length + 1}`]], 'next-page-token': null } };
  if (parent.length > 0 && !catalog.hasNamespace(parent)) throw noSuchNamespace(parent);
  const hostile = hostilePaging(settings, query);
  const { items, next } = page(catalog.children(parent), (ns) => ns.join('\u001f'), pageRequest(hostile?.query ?? query, settings.paging), settings);
  return { status: 200, body: { namespaces: items, ...(hostile ? { 'next-page-token': hostile.next } : next) } };
}

export function listTables(catalog: CatalogState, settings: RouteSettings, namespace: string[], query: URLSearchParams): Reply {
  if (settings.misbehavior === 'endless-depth' && !catalog.hasNamespace(namespace)) return { status: 200, body: { identifiers: [], 'next-page-token': null } };
  if (!catalog.hasNamespace(namespace)) throw noSuchNamespace(namespace);
  const hostile = hostilePaging(settings, query);
  const { items, next } = page(catalog.tablesIn(namespace), (t) => t.name, pageRequest(hostile?.query ?? query, settings.paging), settings);
  return { status: 200, body: { identifiers: items.map((t) => ({ namespace: t.namespace, name: t.name })), ...(hostile ? { 'next-page-token': hostile.next } : next) } };
}

export function loadTable(catalog: CatalogState, settings: RouteSettings, namespace: string[], name: string, query: URLSearchParams, ifNoneMatch: string | undefined): Reply {
  const snapshots = query.get('snapshots') ?? 'all';
  if (snapshots !== 'all' && snapshots !== 'refs') throw new RestError(400, 'BadRequestException', `Invalid snapshots mode: ${snapshots}`);
  const record = catalog.get(namespace, name);
  if (!record) throw noSuchTable(namespace, name);
  if (!settings.etags) return { status: 200, body: catalog.body(record, snapshots) };
  const etag = catalog.etag(record, snapshots);
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag)) return { status: 304, headers: { etag } };
  return { status: 200, body: catalog.body(record, snapshots), headers: { etag } };
}

export function headTable(catalog: CatalogState, namespace: string[], name: string): Reply {
  if (!catalog.get(namespace, name)) throw noSuchTable(namespace, name);
  return { status: 204 };
}

/** If-None-Match: a list of tags or "*", compared weakly (W/ ignored) as RFC 9110 says for it. */
function etagMatches(header: string, etag: string): boolean {
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag));
}
