// The read side of the catalog API the connector uses besides notifications: /v1/config (prefix
// discovery), loadTable / HEAD (read-back after an ambiguous 409 or timeout) and simple, unpaged
// namespace and table listings.
import type { Auth } from './auth.js';
import { PolarisError } from './errors.js';
import type { MetadataFiles } from './metadata-files.js';
import type { Reply } from './notifications.js';
import { type Catalog, type EmulatorState, identifier, nsKey, tableKey } from './state.js';

export interface ReadDeps {
  state: EmulatorState;
  auth: Auth;
  files: MetadataFiles;
}

const ENDPOINTS = [
  'GET /v1/{prefix}/namespaces',
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
  if (!deps.state.catalogs.has(warehouse)) throw new PolarisError(404, 'NotFoundException', `Unable to find warehouse ${warehouse}`);
  return { status: 200, body: { defaults: {}, overrides: { prefix: warehouse }, endpoints: ENDPOINTS } };
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
  const catalog = findCatalog(deps, catalogName);
  // Polaris resolves the target before authorizing: a missing table is 404 even without grants.
  requireNamespace(catalog, namespace);
  const table = catalog.tables.get(tableKey(namespace, name));
  if (!table) throw new PolarisError(404, 'NoSuchTableException', `Table does not exist: ${identifier(namespace, name)}`);
  deps.auth.requireAny(token, catalog.name, READ_TABLE, head ? 'TABLE_EXISTS' : 'LOAD_TABLE');
  if (head) return { status: 204 };
  // Polaris re-reads the metadata file; the raw text is spliced in so int64 ids stay exact.
  const file = await deps.files.read(table.metadataLocation);
  const body = `{"metadata-location":${JSON.stringify(table.metadataLocation)},"metadata":${file.raw},"config":{}}`;
  return { status: 200, body };
}

export function listNamespaces(deps: ReadDeps, authorization: string | undefined, catalogName: string, parent: string[] | undefined): Reply {
  const token = deps.auth.authenticate(authorization);
  const catalog = findCatalog(deps, catalogName);
  deps.auth.requireAny(token, catalog.name, ['NAMESPACE_LIST'], 'LIST_NAMESPACES');
  const levels = parent ?? [];
  if (levels.length > 0) requireNamespace(catalog, levels);
  const namespaces = deps.state
    .namespaces(catalog.name)
    .filter((ns) => ns.length === levels.length + 1 && levels.every((l, i) => ns[i] === l));
  return { status: 200, body: { namespaces } };
}

export function listTables(deps: ReadDeps, authorization: string | undefined, catalogName: string, namespace: string[]): Reply {
  const token = deps.auth.authenticate(authorization);
  const catalog = findCatalog(deps, catalogName);
  deps.auth.requireAny(token, catalog.name, ['TABLE_LIST'], 'LIST_TABLES');
  requireNamespace(catalog, namespace);
  const key = nsKey(namespace);
  const identifiers = deps.state
    .tables(catalog.name)
    .filter((t) => nsKey(t.namespace) === key)
    .map((t) => ({ namespace: t.namespace, name: t.name }));
  return { status: 200, body: { identifiers } };
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
