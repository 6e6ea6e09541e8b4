// The rest of the catalog API besides notifications: /v1/config (prefix discovery), loadTable / HEAD
// (read-back after an ambiguous 409 or timeout), simple, unpaged namespace and table listings, and
// dropNamespace (so a test can remove the namespaces notifications auto-created before it drops the
// catalog through the management API).
import type { Auth } from './auth.js';
import { listPage } from './list-pages.js';
import { PolarisError } from './errors.js';
import type { MetadataFiles } from './metadata-files.js';
import { assumeStorageRole, type Reply } from './notifications.js';
import { identifier, nsKey } from './keys.js';
import type { Catalog, EmulatorState } from './state.js';

export interface ReadDeps {
  state: EmulatorState;
  auth: Auth;
  files: MetadataFiles;
  /** Polaris's LIST_PAGINATION_ENABLED (list-pages.ts). */
  listPagination: boolean;
}

const ENDPOINTS = [
  'GET /v1/{prefix}/namespaces',
  'DELETE /v1/{prefix}/namespaces/{namespace}',
  'GET /v1/{prefix}/namespaces/{namespace}/tables',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/notifications',
];

const READ_TABLE = ['TABLE_READ_PROPERTIES'];

export function getConfig(deps: ReadDeps, authorization: string | undefined, query: URLSearchParams): Reply {
  deps.auth.authenticate(authorization);
  const warehouse = query.get('warehouse');
  if (!warehouse) throw new PolarisError(400, 'BadRequestException', 'Please specify a warehouse');
  const catalog = deps.state.catalogs.get(warehouse);
  if (!catalog) throw new PolarisError(404, 'NotFoundException', `Unable to find warehouse ${warehouse}`);
  // Polaris answers the catalog's properties as the defaults (default-base-location included).
  const defaults = { 'default-base-location': catalog.defaultBaseLocation, ...catalog.properties };
  return { status: 200, body: { defaults, overrides: { prefix: warehouse }, endpoints: ENDPOINTS } };
}

export async function loadTable(
  deps: ReadDeps,
  authorization: string | undefined,
  catalogName: string,
  namespace: string[],
  name: string,
  head: boolean,
): Promise<Reply> {
  const token = deps.auth.authenticate(authorization);
  // Polaris resolves the target before authorizing: a missing table, namespace or catalog is the same
  // 404 NoSuchTableException, even without grants.
  const catalog = deps.state.catalogs.get(catalogName);
  const table = catalog?.tables.get(namespace, name);
  if (!catalog || !table) throw new PolarisError(404, 'NoSuchTableException', `Table does not exist: ${identifier(namespace, name)}`);
  deps.auth.requireAny(token, catalog.name, READ_TABLE, head ? 'TABLE_EXISTS' : 'LOAD_TABLE');
  if (head) return { status: 204 };
  // Polaris re-reads the metadata file (with the catalog's storage role); the raw text is spliced in so
  // int64 ids stay exact. A file gone from storage answers as storage.ts says (400 on object stores).
  assumeStorageRole(catalog);
  const file = await deps.files.read(table.metadataLocation);
  const body = `{"metadata-location":${JSON.stringify(table.metadataLocation)},"metadata":${file.raw},"config":{}}`;
  return { status: 200, body };
}

export function listNamespaces(deps: ReadDeps, authorization: string | undefined, catalogName: string, parent: string[] | undefined, query: URLSearchParams): Reply {
  const token = deps.auth.authenticate(authorization);
  const catalog = findCatalog(deps, catalogName);
  deps.auth.requireAny(token, catalog.name, ['NAMESPACE_LIST'], 'LIST_NAMESPACES');
  const levels = parent ?? [];
  if (levels.length > 0) requireNamespace(catalog, levels);
  const namespaces = deps.state
    .namespaces(catalog.name)
    .filter((ns) => ns.length === levels.length + 1 && levels.every((l, i) => ns[i] === l));
  const page = listPage(namespaces, (ns) => ns.join('\u001f'), query, deps.listPagination);
  return { status: 200, body: { namespaces: page.items, ...(page['next-page-token'] ? { 'next-page-token': page['next-page-token'] } : {}) } };
}

export function listTables(deps: ReadDeps, authorization: string | undefined, catalogName: string, namespace: string[], query: URLSearchParams): Reply {
  const token = deps.auth.authenticate(authorization);
  const catalog = findCatalog(deps, catalogName);
  deps.auth.requireAny(token, catalog.name, ['TABLE_LIST'], 'LIST_TABLES');
  requireNamespace(catalog, namespace);
  const page = listPage(deps.state.tableNamesIn(catalog.name, namespace), (name) => name, query, deps.listPagination);
  const identifiers = page.items.map((name) => ({ namespace: [...namespace], name }));
  return { status: 200, body: { identifiers, ...(page['next-page-token'] ? { 'next-page-token': page['next-page-token'] } : {}) } };
}

/**
 * DELETE /v1/{prefix}/namespaces/{namespace}: as Polaris, a missing namespace is 404 before privileges
 * (NAMESPACE_DROP); a namespace holding tables, views or child namespaces is 409
 * NamespaceNotEmptyException (IcebergExceptionMapper). A table whose CREATE is in flight counts.
 */
export function dropNamespace(deps: ReadDeps, authorization: string | undefined, catalogName: string, namespace: string[]): Reply {
  const token = deps.auth.authenticate(authorization);
  const catalog = findCatalog(deps, catalogName);
  requireNamespace(catalog, namespace);
  deps.auth.requireAny(token, catalog.name, ['NAMESPACE_DROP'], 'DROP_NAMESPACE');
  const key = nsKey(namespace);
  const inside = (k: string): boolean => k.startsWith(`${key}\u0000`);
  const notEmpty =
    [...catalog.namespaces.keys()].some((k) => k.startsWith(`${key}\u001f`)) ||
    catalog.tables.anyIn(namespace) ||
    [...catalog.views].some(inside) ||
    [...catalog.locks].some(inside);
  if (notEmpty) throw new PolarisError(409, 'NamespaceNotEmptyException', `Namespace ${namespace.join('.')} is not empty`);
  catalog.namespaces.delete(key);
  return { status: 204 };
}

function findCatalog(deps: ReadDeps, name: string): Catalog {
  const catalog = deps.state.catalogs.get(name);
  if (!catalog) throw new PolarisError(404, 'NotFoundException', `Unable to find warehouse ${name}`);
  return catalog;
}

function requireNamespace(catalog: Catalog, namespace: string[]): void {
  if (!catalog.namespaces.has(nsKey(namespace))) {
    throw new PolarisError(404, 'NoSuchNamespaceException', `Namespace does not exist: ${namespace.join('.')}`);
  }
}
