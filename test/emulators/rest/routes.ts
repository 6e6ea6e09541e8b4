// The handlers of the REST emulator, one per operation of the spec it serves: /v1/config,
// list namespaces (with `parent`), list tables, loadTable (snapshots, ETag / If-None-Match → 304)
// and HEAD table.
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
  if (parent.length > 0 && !catalog.hasNamespace(parent)) throw noSuchNamespace(parent);
  const { items, next } = page(catalog.children(parent), (ns) => ns.join('\u001f'), pageRequest(query, settings.paging), settings);
  return { status: 200, body: { namespaces: items, ...next } };
}

export function listTables(catalog: CatalogState, settings: RouteSettings, namespace: string[], query: URLSearchParams): Reply {
  if (!catalog.hasNamespace(namespace)) throw noSuchNamespace(namespace);
  const { items, next } = page(catalog.tablesIn(namespace), (t) => t.name, pageRequest(query, settings.paging), settings);
  return { status: 200, body: { identifiers: items.map((t) => ({ namespace: t.namespace, name: t.name })), ...next } };
}

export function loadTable(catalog: CatalogState, settings: RouteSettings, namespace: string[], name: string, query: URLSearchParams, ifNoneMatch: string | undefined): Reply {
  const snapshots = query.get('snapshots') ?? 'all';
  if (snapshots !== 'all' && snapshots !== 'refs') throw new RestError(400, 'BadRequestException', `Invalid snapshots mode: ${snapshots}`);
  const record = catalog.get(namespace, name);
  if (!record) throw noSuchTable(namespace, name);
  const answer = catalog.answer(record, snapshots);
  if (!settings.etags) return { status: 200, body: answer.body };
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, answer.etag)) return { status: 304, headers: { etag: answer.etag } };
  return { status: 200, body: answer.body, headers: { etag: answer.etag } };
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
