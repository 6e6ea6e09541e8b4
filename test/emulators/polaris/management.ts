// Polaris management API (/api/management/v1, spec/polaris-management-service.yml): the part a set-up
// script needs — catalogs, principals, principal roles, catalog roles, catalog-level grants and the
// role assignments — with Polaris's statuses and messages (PolarisServiceImpl, PolarisAdminService,
// DropEntityFailureMapper). What it creates is real for the catalog API: a catalog created here takes
// notifications, and a principal created here gets tokens whose privileges come from its roles.
//
// Order of checks, as in Polaris: token (401) → body (400/415: deserialization precedes the handler)
// → the entities named in the path/body (404; Polaris resolves before authorizing) → privileges (403)
// → the operation's own checks (400) → conflicts (409).
//
// Who may do what (simplified from Polaris's authorizer): catalogs, principals, principal roles and
// principal-role assignments need the `service_admin` principal role; a catalog's roles, grants and
// assignments of its roles need CATALOG_MANAGE_ACCESS on that catalog (service_admin holds it through
// every catalog's `catalog_admin` role); reading a catalog also works with CATALOG_MANAGE_CONTENT,
// CATALOG_MANAGE_METADATA or CATALOG_READ/WRITE_PROPERTIES.
//
// Creating a catalog, a principal role or a catalog role answers 201 with the entity as JSON, as Polaris
// does. A catalog keeps its allowedLocations as given (only an empty list becomes [default-base-location])
// and default-base-location must lie within one of them (400 otherwise), as in Polaris 1.7. It need not
// EQUAL one: such a catalog is created, but then cannot get a new top-level namespace (the 1.7 rule in
// catalog-properties.ts) — the trap `polaris-mirror check` reports.
//
// Choices where this emulator departs from Polaris, or Polaris versions differ:
// - Only catalog-level grants (type `catalog`); namespace/table/view/policy grants answer 501.
// - List endpoints and updates (GET /catalogs, PUT /catalogs/{name}, rotate, …) are not implemented
//   and answer 404 like any unknown route.
// - credentialRotationRequired: true answers 501. Catalog federation needs no feature flag here.
import { randomBytes } from 'node:crypto';
import { type Auth, CATALOG_ADMIN, type CatalogRole, type Principal, type PrincipalRole, SERVICE_ADMIN, type Token } from './auth.js';
import { badRequest, PolarisError } from './errors.js';
import { isChildOf, normalizeLocation } from './locations.js';
import type { Reply } from './notifications.js';
import type { Catalog, EmulatorState } from './state.js';

export interface ManagementDeps {
  state: EmulatorState;
  auth: Auth;
}

export interface ManagementRequest {
  method: string;
  /** Percent-decoded path segments after /api/management/v1. */
  segments: string[];
  query: URLSearchParams;
  authorization: string | undefined;
  contentType: string | undefined;
  body: Buffer;
}

type Json = Record<string, unknown>;
type Handler = (deps: ManagementDeps, token: Token, req: ManagementRequest) => Reply;

const STORAGE_PREFIXES: Record<string, string[]> = {
  S3: ['s3://', 's3a://'],
  GCS: ['gs://'],
  AZURE: ['abfs://', 'abfss://', 'wasb://', 'wasbs://'],
  FILE: ['file://'],
};
const CONNECTION_TYPES = ['ICEBERG_REST', 'HADOOP', 'HIVE', 'BIGQUERY'];
const GRANT_TYPES = ['catalog', 'namespace', 'table', 'view', 'policy'];
/** CatalogPrivilege of the spec. */
export const CATALOG_PRIVILEGES = new Set([
  'CATALOG_MANAGE_ACCESS', 'CATALOG_MANAGE_CONTENT', 'CATALOG_MANAGE_METADATA', 'CATALOG_READ_PROPERTIES',
  'CATALOG_WRITE_PROPERTIES', 'NAMESPACE_CREATE', 'TABLE_CREATE', 'VIEW_CREATE', 'NAMESPACE_DROP', 'TABLE_DROP',
  'VIEW_DROP', 'NAMESPACE_LIST', 'TABLE_LIST', 'VIEW_LIST', 'NAMESPACE_READ_PROPERTIES', 'TABLE_READ_PROPERTIES',
  'VIEW_READ_PROPERTIES', 'NAMESPACE_WRITE_PROPERTIES', 'TABLE_WRITE_PROPERTIES', 'VIEW_WRITE_PROPERTIES',
  'TABLE_READ_DATA', 'TABLE_WRITE_DATA', 'NAMESPACE_FULL_METADATA', 'TABLE_FULL_METADATA', 'VIEW_FULL_METADATA',
  'POLICY_CREATE', 'POLICY_WRITE', 'POLICY_READ', 'POLICY_DROP', 'POLICY_LIST', 'POLICY_FULL_METADATA',
  'CATALOG_ATTACH_POLICY', 'CATALOG_DETACH_POLICY', 'TABLE_ASSIGN_UUID', 'TABLE_UPGRADE_FORMAT_VERSION',
  'TABLE_ADD_SCHEMA', 'TABLE_SET_CURRENT_SCHEMA', 'TABLE_ADD_PARTITION_SPEC', 'TABLE_ADD_SORT_ORDER',
  'TABLE_SET_DEFAULT_SORT_ORDER', 'TABLE_ADD_SNAPSHOT', 'TABLE_SET_SNAPSHOT_REF', 'TABLE_REMOVE_SNAPSHOTS',
  'TABLE_REMOVE_SNAPSHOT_REF', 'TABLE_SET_LOCATION', 'TABLE_SET_PROPERTIES', 'TABLE_REMOVE_PROPERTIES',
  'TABLE_SET_STATISTICS', 'TABLE_REMOVE_STATISTICS', 'TABLE_REMOVE_PARTITION_SPECS', 'TABLE_MANAGE_STRUCTURE',
]);
/** Catalog-level privileges that let a principal read the catalog entity (GET /catalogs/{name}). */
const READ_CATALOG = ['CATALOG_MANAGE_CONTENT', 'CATALOG_MANAGE_METADATA', 'CATALOG_READ_PROPERTIES', 'CATALOG_WRITE_PROPERTIES'];

/** The handler for a management request, or undefined when the emulator has no such route (→ 404). */
export function managementRoute(deps: ManagementDeps, req: ManagementRequest): (() => Reply) | undefined {
  const handler = pick(req.method, req.segments);
  if (!handler) return undefined;
  return () => handler(deps, deps.auth.authenticate(req.authorization), req);
}

function pick(method: string, s: string[]): Handler | undefined {
  const [a, , c, , e] = s;
  switch (s.length) {
    case 1:
      if (method !== 'POST') return undefined;
      return a === 'catalogs' ? createCatalog : a === 'principals' ? createPrincipal : a === 'principal-roles' ? createPrincipalRole : undefined;
    case 2:
      if (method !== 'GET' && method !== 'DELETE') return undefined;
      if (a === 'catalogs') return method === 'GET' ? getCatalog : deleteCatalog;
      if (a === 'principals') return method === 'GET' ? getPrincipal : deletePrincipal;
      if (a === 'principal-roles') return method === 'GET' ? getPrincipalRole : deletePrincipalRole;
      return undefined;
    case 3:
      if (a === 'catalogs' && c === 'catalog-roles' && method === 'POST') return createCatalogRole;
      if (a === 'principals' && c === 'principal-roles' && method === 'PUT') return assignPrincipalRole;
      return undefined;
    case 4:
      if (a === 'catalogs' && c === 'catalog-roles') return method === 'GET' ? getCatalogRole : method === 'DELETE' ? deleteCatalogRole : undefined;
      if (a === 'principals' && c === 'principal-roles' && method === 'DELETE') return revokePrincipalRole;
      if (a === 'principal-roles' && c === 'catalog-roles' && method === 'PUT') return assignCatalogRole;
      return undefined;
    case 5:
      if (a === 'catalogs' && c === 'catalog-roles' && e === 'grants') return method === 'PUT' ? addGrant : method === 'POST' ? revokeGrant : undefined;
      if (a === 'principal-roles' && c === 'catalog-roles' && method === 'DELETE') return revokeCatalogRole;
      return undefined;
    default:
      return undefined;
  }
}

// ---- catalogs -----------------------------------------------------------------------------------

const createCatalog: Handler = (deps, token, req) => {
  const c = object(jsonBody(req)['catalog'], 'catalog');
  const name = entityName(c['name'], 'catalog.name');
  const type = oneOf(c['type'], ['INTERNAL', 'EXTERNAL'], 'catalog.type') as 'INTERNAL' | 'EXTERNAL';
  const properties = stringMap(c['properties'], 'catalog.properties', true);
  const storage = object(c['storageConfigInfo'], 'catalog.storageConfigInfo');
  const storageType = oneOf(storage['storageType'], Object.keys(STORAGE_PREFIXES), 'storageConfigInfo.storageType');
  const userAllowed = optionalStrings(storage['allowedLocations'], 'storageConfigInfo.allowedLocations');
  let connection: Json | undefined;
  if (c['connectionConfigInfo'] !== undefined && c['connectionConfigInfo'] !== null) {
    connection = object(c['connectionConfigInfo'], 'catalog.connectionConfigInfo');
    oneOf(connection['connectionType'], CONNECTION_TYPES, 'connectionConfigInfo.connectionType');
    if (type !== 'EXTERNAL') throw badRequest('connectionConfigInfo is only allowed on an EXTERNAL catalog');
  }

  deps.auth.requireServiceAdmin(token, 'CREATE_CATALOG');

  const base = properties['default-base-location'];
  if (!base) throw badRequest('Must specify default base location');
  // Polaris 1.7: the list as given (an empty one means [default-base-location]); the base must lie in it.
  const allowed = userAllowed.length > 0 ? [...new Set(userAllowed)] : [base];
  if (!allowed.some((location) => isChildOf(base, location))) {
    throw badRequest(`default-base-location '${base}' is not within any of the allowed locations [${allowed.join(', ')}]`);
  }
  const prefixes = STORAGE_PREFIXES[storageType] as string[];
  for (const loc of allowed) {
    if (!prefixes.some((p) => loc.toLowerCase().startsWith(p))) {
      throw new PolarisError(400, 'IllegalArgumentException', `Location prefix not allowed: '${loc}', expected prefixes: '${prefixes.join(',')}'`);
    }
  }
  if (storageType === 'AZURE' && typeof storage['tenantId'] !== 'string') throw badRequest('storageConfigInfo.tenantId is required for AZURE storage');
  const overlapping = [...deps.state.catalogs.values()].some(
    (other) => other.name !== name && catalogLocations(other).some((x) => allowed.some((y) => isChildOf(x, y) || isChildOf(y, x))),
  );
  if (overlapping) {
    throw new PolarisError(400, 'ValidationException', `Cannot create Catalog ${name}. One or more of its locations overlaps with an existing catalog`);
  }
  if (deps.state.catalogs.has(name)) {
    throw new PolarisError(409, 'AlreadyExistsException', `Cannot create Catalog ${name}. Catalog already exists or resolution failed`);
  }
  const { 'default-base-location': _base, ...otherProperties } = properties;
  const catalog = deps.state.createCatalog(
    {
      name,
      type,
      allowedLocations: allowed,
      defaultBaseLocation: base,
      properties: otherProperties,
      federated: connection !== undefined,
      storageConfigured: true,
      ...(typeof storage['roleArn'] === 'string' ? { roleArn: storage['roleArn'] } : {}),
    },
    {
      storageConfigInfo: { ...storage, allowedLocations: allowed },
      ...(connection ? { connectionConfigInfo: withoutSecrets(connection) } : {}),
    },
  );
  deps.auth.addCatalog(name);
  return { status: 201, body: catalogJson(catalog) };
};

const getCatalog: Handler = (deps, token, req) => {
  const catalog = requireCatalog(deps, req.segments[1] as string);
  deps.auth.requireCatalogAccess(token, catalog.name, 'GET_CATALOG', READ_CATALOG);
  return { status: 200, body: catalogJson(catalog) };
};

const deleteCatalog: Handler = (deps, token, req) => {
  const catalog = requireCatalog(deps, req.segments[1] as string);
  deps.auth.requireServiceAdmin(token, 'DELETE_CATALOG');
  // Polaris: namespaces left, or any catalog role besides catalog_admin → CATALOG/NAMESPACE_NOT_EMPTY.
  const roles = deps.auth.catalogRoles.get(catalog.name)?.size ?? 0;
  if (catalog.namespaces.size > 0 || catalog.tables.size > 0 || catalog.locks.size > 0 || roles > 1) {
    throw badRequest(`Catalog '${catalog.name}' cannot be dropped, it is not empty`);
  }
  deps.state.deleteCatalog(catalog.name);
  deps.auth.dropCatalog(catalog.name);
  return { status: 204 };
};

// ---- principals ---------------------------------------------------------------------------------

const createPrincipal: Handler = (deps, token, req) => {
  const body = jsonBody(req);
  const p = object(body['principal'], 'principal');
  const name = entityName(p['name'], 'principal.name');
  const properties = stringMap(p['properties'], 'principal.properties', false);
  deps.auth.requireServiceAdmin(token, 'CREATE_PRINCIPAL');
  if (body['credentialRotationRequired'] === true) throw notImplemented('credentialRotationRequired');
  if (deps.auth.principalsByName.has(name)) {
    throw new PolarisError(409, 'AlreadyExistsException', `Cannot create Principal ${name}. Principal already exists or resolution failed`);
  }
  const clientId = randomBytes(8).toString('hex');
  const clientSecret = randomBytes(16).toString('hex');
  const principal = deps.auth.createPrincipal({ name, clientId, clientSecret });
  principal.properties = properties;
  return { status: 201, body: { principal: principalJson(principal), credentials: { clientId, clientSecret } } };
};

const getPrincipal: Handler = (deps, token, req) => {
  const p = requirePrincipal(deps, req.segments[1] as string);
  deps.auth.requireServiceAdmin(token, 'GET_PRINCIPAL');
  return { status: 200, body: principalJson(p) };
};

const deletePrincipal: Handler = (deps, token, req) => {
  const p = requirePrincipal(deps, req.segments[1] as string);
  deps.auth.requireServiceAdmin(token, 'DELETE_PRINCIPAL');
  if (p.root) throw badRequest('Root principal cannot be dropped');
  deps.auth.deletePrincipal(p);
  return { status: 204 };
};

const assignPrincipalRole: Handler = (deps, token, req) => {
  const principalName = req.segments[1] as string;
  const roleName = entityName(object(jsonBody(req)['principalRole'], 'principalRole')['name'], 'principalRole.name');
  const p = deps.auth.principalsByName.get(principalName);
  const missing = !deps.auth.principalRoles.has(roleName) ? roleName : !p ? principalName : undefined;
  if (missing !== undefined || !p) {
    throw notFound(`Entity ${missing} not found when trying to assign ${roleName} to ${principalName}`);
  }
  deps.auth.requireServiceAdmin(token, 'ASSIGN_PRINCIPAL_ROLE');
  p.assigned.add(roleName);
  return { status: 201 };
};

const revokePrincipalRole: Handler = (deps, token, req) => {
  const [, principalName, , roleName] = req.segments as [string, string, string, string];
  const p = deps.auth.principalsByName.get(principalName);
  const missing = !deps.auth.principalRoles.has(roleName) ? roleName : !p ? principalName : undefined;
  if (missing !== undefined || !p) {
    throw notFound(`Entity ${missing} not found when trying to assign ${roleName} to ${principalName}`);
  }
  deps.auth.requireServiceAdmin(token, 'REVOKE_PRINCIPAL_ROLE');
  if (!p.assigned.delete(roleName)) throw grantNotFound();
  return { status: 204 };
};

// ---- principal roles ----------------------------------------------------------------------------

const createPrincipalRole: Handler = (deps, token, req) => {
  const r = object(jsonBody(req)['principalRole'], 'principalRole');
  const name = entityName(r['name'], 'principalRole.name');
  const properties = stringMap(r['properties'], 'principalRole.properties', false);
  deps.auth.requireServiceAdmin(token, 'CREATE_PRINCIPAL_ROLE');
  if (deps.auth.principalRoles.has(name)) {
    throw new PolarisError(409, 'AlreadyExistsException', `Cannot create PrincipalRole ${name}. PrincipalRole already exists or resolution failed`);
  }
  const role: PrincipalRole = { name, properties, createTimestamp: Date.now(), catalogRoles: new Map() };
  deps.auth.principalRoles.set(name, role);
  return { status: 201, body: principalRoleJson(role) };
};

const getPrincipalRole: Handler = (deps, token, req) => {
  const role = requirePrincipalRole(deps, req.segments[1] as string);
  deps.auth.requireServiceAdmin(token, 'GET_PRINCIPAL_ROLE');
  return { status: 200, body: principalRoleJson(role) };
};

const deletePrincipalRole: Handler = (deps, token, req) => {
  const role = requirePrincipalRole(deps, req.segments[1] as string);
  deps.auth.requireServiceAdmin(token, 'DELETE_PRINCIPAL_ROLE');
  if (role.name === SERVICE_ADMIN) throw badRequest('Polaris service admin principal role cannot be dropped');
  deps.auth.deletePrincipalRole(role.name);
  return { status: 204 };
};

const assignCatalogRole: Handler = (deps, token, req) => {
  const [, roleName, , catalogName] = req.segments as [string, string, string, string];
  const catalogRoleName = entityName(object(jsonBody(req)['catalogRole'], 'catalogRole')['name'], 'catalogRole.name');
  const role = resolveCatalogRoleAssignment(deps, roleName, catalogName, catalogRoleName);
  deps.auth.requireCatalogAccess(token, catalogName, 'ASSIGN_CATALOG_ROLE_TO_PRINCIPAL_ROLE');
  let set = role.catalogRoles.get(catalogName);
  if (!set) role.catalogRoles.set(catalogName, (set = new Set()));
  set.add(catalogRoleName);
  return { status: 201 };
};

const revokeCatalogRole: Handler = (deps, token, req) => {
  const [, roleName, , catalogName, catalogRoleName] = req.segments as [string, string, string, string, string];
  const role = resolveCatalogRoleAssignment(deps, roleName, catalogName, catalogRoleName);
  deps.auth.requireCatalogAccess(token, catalogName, 'REVOKE_CATALOG_ROLE_FROM_PRINCIPAL_ROLE');
  if (!role.catalogRoles.get(catalogName)?.delete(catalogRoleName)) throw grantNotFound();
  return { status: 204 };
};

function resolveCatalogRoleAssignment(deps: ManagementDeps, roleName: string, catalogName: string, catalogRoleName: string): PrincipalRole {
  const role = deps.auth.principalRoles.get(roleName);
  const missing = !deps.state.catalogs.has(catalogName)
    ? catalogName
    : !deps.auth.catalogRoles.get(catalogName)?.has(catalogRoleName)
      ? catalogRoleName
      : !role
        ? roleName
        : undefined;
  if (missing !== undefined || !role) {
    throw notFound(`Entity ${missing} not found when trying to assign ${catalogName}.${catalogRoleName} to ${roleName}`);
  }
  return role;
}

// ---- catalog roles and grants -------------------------------------------------------------------

const createCatalogRole: Handler = (deps, token, req) => {
  const r = object(jsonBody(req)['catalogRole'], 'catalogRole');
  const name = entityName(r['name'], 'catalogRole.name');
  const properties = stringMap(r['properties'], 'catalogRole.properties', false);
  const catalog = requireCatalog(deps, req.segments[1] as string);
  deps.auth.requireCatalogAccess(token, catalog.name, 'CREATE_CATALOG_ROLE');
  const roles = deps.auth.catalogRoles.get(catalog.name) as Map<string, CatalogRole>;
  if (roles.has(name)) {
    throw new PolarisError(
      409,
      'AlreadyExistsException',
      `Cannot create CatalogRole ${name} in ${catalog.name}. CatalogRole already exists or resolution failed`,
    );
  }
  const role: CatalogRole = { name, properties, createTimestamp: Date.now(), privileges: new Set() };
  roles.set(name, role);
  return { status: 201, body: catalogRoleJson(role) };
};

const getCatalogRole: Handler = (deps, token, req) => {
  const [, catalogName, , name] = req.segments as [string, string, string, string];
  const role = requireCatalogRole(deps, catalogName, name, `CatalogRole does not exist: ${name}`);
  deps.auth.requireCatalogAccess(token, catalogName, 'GET_CATALOG_ROLE');
  return { status: 200, body: catalogRoleJson(role) };
};

const deleteCatalogRole: Handler = (deps, token, req) => {
  const [, catalogName, , name] = req.segments as [string, string, string, string];
  requireCatalogRole(deps, catalogName, name, `CatalogRole does not exist: ${name}`);
  deps.auth.requireCatalogAccess(token, catalogName, 'DELETE_CATALOG_ROLE');
  if (name === CATALOG_ADMIN) throw badRequest('Catalog admin role cannot be dropped');
  deps.auth.deleteCatalogRole(catalogName, name);
  return { status: 204 };
};

const addGrant: Handler = (deps, token, req) => {
  const [, catalogName, , name] = req.segments as [string, string, string, string];
  const privilege = catalogGrant(req);
  const role = requireCatalogRole(deps, catalogName, name, `CatalogRole not found: ${catalogName}.${name}`, `Catalog not found: ${catalogName}`);
  deps.auth.requireCatalogAccess(token, catalogName, 'ADD_CATALOG_GRANT_TO_CATALOG_ROLE');
  role.privileges.add(privilege);
  return { status: 201 };
};

const revokeGrant: Handler = (deps, token, req) => {
  const [, catalogName, , name] = req.segments as [string, string, string, string];
  if (req.query.get('cascade') === 'true') throw new PolarisError(501, 'NotImplementedException', 'cascade is not implemented');
  const privilege = catalogGrant(req);
  const role = requireCatalogRole(deps, catalogName, name, `CatalogRole not found: ${catalogName}.${name}`, `Catalog not found: ${catalogName}`);
  deps.auth.requireCatalogAccess(token, catalogName, 'REVOKE_CATALOG_GRANT_FROM_CATALOG_ROLE');
  if (!role.privileges.delete(privilege)) throw grantNotFound();
  return { status: 201 };
};

/** The privilege of a `{"grant": {"type": "catalog", "privilege": …}}` body. */
function catalogGrant(req: ManagementRequest): string {
  const grant = object(jsonBody(req)['grant'], 'grant');
  const type = oneOf(grant['type'], GRANT_TYPES, 'grant.type');
  if (type !== 'catalog') throw notImplemented(`${type} grants (only catalog-level grants are emulated)`);
  return oneOf(grant['privilege'], [...CATALOG_PRIVILEGES], 'grant.privilege');
}

// ---- lookups ------------------------------------------------------------------------------------

function requireCatalog(deps: ManagementDeps, name: string): Catalog {
  const catalog = deps.state.catalogs.get(name);
  if (!catalog) throw notFound(`TopLevelEntity of type CATALOG does not exist: ${name}`);
  return catalog;
}

function requirePrincipal(deps: ManagementDeps, name: string): Principal {
  const p = deps.auth.principalsByName.get(name);
  if (!p) throw notFound(`TopLevelEntity of type PRINCIPAL does not exist: ${name}`);
  return p;
}

function requirePrincipalRole(deps: ManagementDeps, name: string): PrincipalRole {
  const role = deps.auth.principalRoles.get(name);
  if (!role) throw notFound(`TopLevelEntity of type PRINCIPAL_ROLE does not exist: ${name}`);
  return role;
}

function requireCatalogRole(deps: ManagementDeps, catalogName: string, name: string, roleMissing: string, catalogMissing?: string): CatalogRole {
  if (!deps.state.catalogs.has(catalogName)) throw notFound(catalogMissing ?? `TopLevelEntity of type CATALOG does not exist: ${catalogName}`);
  const role = deps.auth.catalogRoles.get(catalogName)?.get(name);
  if (!role) throw notFound(roleMissing);
  return role;
}

// ---- JSON shapes --------------------------------------------------------------------------------

function catalogJson(c: Catalog): Json {
  const m = c.management;
  const properties = { ...c.properties, 'default-base-location': c.defaultBaseLocation };
  const storage = m?.storageConfigInfo ?? (c.storageConfigured ? { storageType: storageTypeOf(c.allowedLocations[0]), allowedLocations: [...c.allowedLocations] } : undefined);
  const connection = m?.connectionConfigInfo ?? (c.federated ? { connectionType: 'ICEBERG_REST' } : undefined);
  return {
    type: c.type,
    name: c.name,
    properties,
    createTimestamp: c.createTimestamp,
    lastUpdateTimestamp: c.createTimestamp,
    entityVersion: 1,
    ...(storage ? { storageConfigInfo: storage } : {}),
    ...(connection && c.type === 'EXTERNAL' ? { connectionConfigInfo: connection } : {}),
  };
}

function principalJson(p: Principal): Json {
  return { name: p.name, clientId: p.clientId, properties: { ...p.properties }, createTimestamp: p.createTimestamp, lastUpdateTimestamp: p.createTimestamp, entityVersion: 1 };
}

function principalRoleJson(r: { name: string; properties: Record<string, string>; createTimestamp: number }): Json {
  return { name: r.name, federated: false, properties: { ...r.properties }, createTimestamp: r.createTimestamp, lastUpdateTimestamp: r.createTimestamp, entityVersion: 1 };
}

function catalogRoleJson(r: { name: string; properties: Record<string, string>; createTimestamp: number }): Json {
  return { name: r.name, properties: { ...r.properties }, createTimestamp: r.createTimestamp, lastUpdateTimestamp: r.createTimestamp, entityVersion: 1 };
}

function catalogLocations(c: Catalog): string[] {
  return c.defaultBaseLocation ? [c.defaultBaseLocation, ...c.allowedLocations] : c.allowedLocations;
}

function storageTypeOf(location: string | undefined): string {
  const loc = normalizeLocation(location ?? '').toLowerCase();
  return Object.entries(STORAGE_PREFIXES).find(([, prefixes]) => prefixes.some((p) => loc.startsWith(p)))?.[0] ?? 'FILE';
}

/** Inline secrets are write-only in Polaris (offloaded to its secrets manager). */
function withoutSecrets(connection: Json): Json {
  const out = { ...connection };
  if (out['authenticationParameters'] && typeof out['authenticationParameters'] === 'object') {
    const { clientSecret: _s, bearerToken: _t, ...rest } = out['authenticationParameters'] as Json;
    out['authenticationParameters'] = rest;
  }
  return out;
}

// ---- body checks (what Jackson and bean validation reject: 400) ----------------------------------

function jsonBody(req: ManagementRequest): Json {
  const ct = req.contentType;
  if (ct !== undefined && !ct.toLowerCase().startsWith('application/json')) {
    throw new PolarisError(415, 'NotSupportedException', `Unsupported media type ${ct}; expected application/json`);
  }
  const text = req.body.toString('utf8');
  if (text.trim() === '') throw badRequest('Request body is required');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(`Malformed request body: ${(e as Error).message}`);
  }
  return object(value, 'request body');
}

function object(value: unknown, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(`Invalid value for ${what}: an object is required`);
  return value as Json;
}

function entityName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 256) throw badRequest(`Invalid value for ${what}: a name of 1 to 256 characters is required`);
  if (/^\s*system\$/i.test(value)) throw badRequest(`Invalid value for ${what}: names starting with 'SYSTEM$' are reserved`);
  return value;
}

function oneOf(value: unknown, allowed: readonly string[], what: string): string {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw badRequest(`Invalid value for ${what}: ${JSON.stringify(value)}; expected one of ${allowed.join(', ')}`);
  }
  return value;
}

function stringMap(value: unknown, what: string, required: boolean): Record<string, string> {
  if (value === undefined || value === null) {
    if (required) throw badRequest(`Missing ${what}`);
    return {};
  }
  const obj = object(value, what);
  for (const [k, v] of Object.entries(obj)) if (typeof v !== 'string') throw badRequest(`Invalid value for ${what}.${k}: a string is required`);
  return { ...(obj as Record<string, string>) };
}

function optionalStrings(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw badRequest(`Invalid value for ${what}: an array of strings is required`);
  return value as string[];
}

// ---- errors -------------------------------------------------------------------------------------

function notFound(message: string): PolarisError {
  return new PolarisError(404, 'NotFoundException', message);
}

/** Polaris answers a revoke of something never granted with its PrivilegeResult status as a 400. */
function grantNotFound(): PolarisError {
  return new PolarisError(400, 'GRANT_NOT_FOUND', 'Operation failed: GRANT_NOT_FOUND');
}

function notImplemented(what: string): PolarisError {
  return new PolarisError(501, 'NotImplementedException', `Not implemented by the Polaris emulator: ${what}`);
}
