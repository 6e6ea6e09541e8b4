// The emulator's Polaris management API (/api/management/v1) and dropNamespace: a set-up written
// against real Polaris (root token → catalog → principal → roles → grant) works, its effect is real
// on the catalog API, clean-up works, and the error statuses are Polaris's.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dirUri, writeFixtureTable } from '../emulators/polaris/fixture-warehouse.js';
import { startPolarisEmulator } from '../emulators/polaris/index.js';
import { err, notification, notify, raw, type RawResponse, tablePath } from '../emulators/polaris/test-kit.js';
import type { PolarisEmulator } from '../emulators/polaris/types.js';

const ROOT = { clientId: 'root', clientSecret: 's3cr3t' };

let emu: PolarisEmulator;
let dir: string;
let rootToken: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polaris-emu-mgmt-'));
  emu = await startPolarisEmulator({ rootCredentials: ROOT });
  const t = await token(ROOT.clientId, ROOT.clientSecret);
  expect(t.status).toBe(200);
  rootToken = t.json.access_token;
});
afterEach(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

function token(clientId: string, clientSecret: string, scope = 'PRINCIPAL_ROLE:ALL', headers: Record<string, string> = {}): Promise<RawResponse> {
  return raw(`${emu.rootUrl}/api/catalog/v1/oauth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope }).toString(),
  });
}

/** A management call; `bearer: null` sends no Authorization header. */
function mgmt(method: string, path: string, body?: unknown, bearer: string | null = rootToken, headers: Record<string, string> = {}): Promise<RawResponse> {
  return raw(`${emu.managementUrl}${path}`, {
    method,
    headers: {
      ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function dropNamespace(catalog: string, namespace: string[], bearer: string): Promise<RawResponse> {
  return raw(`${emu.url}/v1/${encodeURIComponent(catalog)}/namespaces/${encodeURIComponent(namespace.join('\u001f'))}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${bearer}` },
  });
}

function fileCatalog(name: string, base: string, allowed: string[] = [base], type = 'EXTERNAL'): { catalog: Record<string, unknown> } {
  return {
    catalog: {
      name,
      type,
      properties: { 'default-base-location': base },
      storageConfigInfo: { storageType: 'FILE', allowedLocations: allowed },
    },
  };
}

/** Creates principal `name` through the API; returns its credentials. */
async function apiPrincipal(name: string): Promise<{ clientId: string; clientSecret: string }> {
  const r = await mgmt('POST', '/principals', { principal: { name } });
  expect(r.status).toBe(201);
  return r.json.credentials;
}

async function tokenOf(creds: { clientId: string; clientSecret: string }, scope?: string): Promise<string> {
  const r = await token(creds.clientId, creds.clientSecret, scope);
  expect(r.status).toBe(200);
  return r.json.access_token;
}

/** Catalog `name` (EXTERNAL, FILE under dir/name), principal role `name_pr` with catalog role `name_cr` holding `privilege`. */
async function catalogWithRole(name: string, privilege = 'CATALOG_MANAGE_CONTENT'): Promise<void> {
  expect((await mgmt('POST', '/catalogs', fileCatalog(name, dirUri(join(dir, name))))).status).toBe(201);
  expect((await mgmt('POST', '/principal-roles', { principalRole: { name: `${name}_pr` } })).status).toBe(201);
  expect((await mgmt('POST', `/catalogs/${name}/catalog-roles`, { catalogRole: { name: `${name}_cr` } })).status).toBe(201);
  expect((await mgmt('PUT', `/catalogs/${name}/catalog-roles/${name}_cr/grants`, { grant: { type: 'catalog', privilege } })).status).toBe(201);
  expect((await mgmt('PUT', `/principal-roles/${name}_pr/catalog-roles/${name}`, { catalogRole: { name: `${name}_cr` } })).status).toBe(201);
}

describe('the set-up an operator does against real Polaris, then clean-up', () => {
  it('root token → catalog → principal → roles → grant: notifications land; without grants 403; everything can be removed', async () => {
    const warehouse = join(dir, 'warehouse');
    const base = `${dirUri(warehouse)}/`;
    const extra = dirUri(join(dir, 'extra'));

    // Catalog: the allowed locations are kept as given (Polaris 1.7); default-base-location lies in one.
    let r = await mgmt('POST', '/catalogs', fileCatalog('lake_m', base, [extra, base]));
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      type: 'EXTERNAL',
      name: 'lake_m',
      properties: { 'default-base-location': base },
      storageConfigInfo: { storageType: 'FILE', allowedLocations: [extra, base] },
      entityVersion: 1,
    });
    r = await mgmt('GET', '/catalogs/lake_m');
    expect(r.status).toBe(200);
    expect(r.json.storageConfigInfo.allowedLocations).toEqual([extra, base]);
    expect(r.json.createTimestamp).toEqual(expect.any(Number));

    // Principal with credentials.
    r = await mgmt('POST', '/principals', { principal: { name: 'mirror' } });
    expect(r.status).toBe(201);
    expect(r.json.principal).toMatchObject({ name: 'mirror', clientId: r.json.credentials.clientId });
    const creds = r.json.credentials as { clientId: string; clientSecret: string };
    expect(creds.clientSecret).toMatch(/^[0-9a-f]{32}$/);

    // Roles and the grant.
    expect((await mgmt('POST', '/principal-roles', { principalRole: { name: 'mirror_role' } })).status).toBe(201);
    expect((await mgmt('PUT', '/principals/mirror/principal-roles', { principalRole: { name: 'mirror_role' } })).status).toBe(201);
    expect((await mgmt('POST', '/catalogs/lake_m/catalog-roles', { catalogRole: { name: 'writer' } })).status).toBe(201);
    expect((await mgmt('PUT', '/catalogs/lake_m/catalog-roles/writer/grants', { grant: { type: 'catalog', privilege: 'CATALOG_MANAGE_CONTENT' } })).status).toBe(201);

    const mirror = { base: emu.url, token: await tokenOf(creds) };
    const t = await writeFixtureTable(join(warehouse, 'db', 'sales', 'orders'));
    const create = notification('CREATE', 'orders', t.metadataLocation, 1);
    // The catalog role is not yet assigned to the principal role: no privilege on the catalog.
    r = await notify(mirror, 'lake_m', ['db', 'sales'], 'orders', create);
    expect(r.status).toBe(403);
    expect(r.json.error.message).toBe(
      "Principal 'mirror' with activated PrincipalRoles '[mirror_role]' and activated grants via '[]' is not authorized for op SEND_NOTIFICATIONS",
    );
    expect((await mgmt('PUT', '/principal-roles/mirror_role/catalog-roles/lake_m', { catalogRole: { name: 'writer' } })).status).toBe(201);

    // The same token now holds the grant (privileges are resolved per request, as in Polaris).
    r = await notify(mirror, 'lake_m', ['db', 'sales'], 'orders', create);
    expect(r.status).toBe(204);
    r = await raw(tablePath(emu.url, 'lake_m', ['db', 'sales'], 'orders'), { headers: { authorization: `Bearer ${mirror.token}` } });
    expect(r.status).toBe(200);
    expect(r.json['metadata-location']).toBe(t.metadataLocation);
    expect(emu.tables('lake_m').map((x) => x.name)).toEqual(['orders']);
    // A token scoped to the one role works too; a role the principal lacks is refused.
    expect((await notify({ base: emu.url, token: await tokenOf(creds, 'PRINCIPAL_ROLE:mirror_role') }, 'lake_m', ['db', 'sales'], 'orders', notification('VALIDATE', 'orders', t.metadataLocation, 2))).status).toBe(204);
    // A role the principal lacks: Polaris issues the token, then refuses every call with it (401).
    const lacking = await tokenOf(creds, 'PRINCIPAL_ROLE:other');
    expect((await notify({ base: emu.url, token: lacking }, 'lake_m', ['db', 'sales'], 'orders', notification('VALIDATE', 'orders', t.metadataLocation, 2))).status).toBe(401);

    // A principal without grants: 403 on the same catalog.
    const nobody = { base: emu.url, token: await tokenOf(await apiPrincipal('nobody')) };
    r = await notify(nobody, 'lake_m', ['db', 'sales'], 'orders', notification('UPDATE', 'orders', t.metadataLocation, 3));
    expect(r.status).toBe(403);
    expect(r.json.error.type).toBe('ForbiddenException');
    r = await raw(tablePath(emu.url, 'lake_m', ['db', 'sales'], 'orders'), { headers: { authorization: `Bearer ${nobody.token}` } });
    expect(r.status).toBe(403);

    // Clean-up. A catalog with tables/namespaces left is refused (Polaris: 400, "not empty").
    r = await mgmt('DELETE', '/catalogs/lake_m');
    expect(r.status).toBe(400);
    expect(r.json).toEqual(err(400, 'BadRequestException', "Catalog 'lake_m' cannot be dropped, it is not empty"));
    expect((await notify(mirror, 'lake_m', ['db', 'sales'], 'orders', notification('DROP', 'orders', t.metadataLocation, 4))).status).toBe(204);
    expect(emu.tables('lake_m')).toEqual([]);
    expect((await mgmt('DELETE', '/catalogs/lake_m')).status).toBe(400); // the auto-created namespaces remain

    // dropNamespace: a parent with a child is not empty (409); children first.
    r = await dropNamespace('lake_m', ['db'], mirror.token);
    expect(r.status).toBe(409);
    expect(r.json).toEqual(err(409, 'NamespaceNotEmptyException', 'Namespace db is not empty'));
    expect((await dropNamespace('lake_m', ['db', 'sales'], nobody.token)).status).toBe(403);
    expect((await dropNamespace('lake_m', ['db', 'sales'], mirror.token)).status).toBe(204);
    expect((await dropNamespace('lake_m', ['db'], mirror.token)).status).toBe(204);
    r = await dropNamespace('lake_m', ['db'], mirror.token);
    expect(r.status).toBe(404);
    expect(r.json.error.type).toBe('NoSuchNamespaceException');
    expect(emu.namespaces('lake_m')).toEqual([]);

    // A catalog role besides catalog_admin also keeps the catalog from being dropped (Polaris).
    r = await mgmt('DELETE', '/catalogs/lake_m');
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe("Catalog 'lake_m' cannot be dropped, it is not empty");
    expect((await mgmt('DELETE', '/catalogs/lake_m/catalog-roles/writer')).status).toBe(204);
    expect((await mgmt('DELETE', '/catalogs/lake_m')).status).toBe(204);
    expect((await mgmt('GET', '/catalogs/lake_m')).status).toBe(404);
    expect((await notify(mirror, 'lake_m', ['db'], 'orders', create)).status).toBe(404);

    expect((await mgmt('DELETE', '/principal-roles/mirror_role')).status).toBe(204);
    expect((await mgmt('DELETE', '/principals/mirror')).status).toBe(204);
    expect((await mgmt('DELETE', '/principals/nobody')).status).toBe(204);
    // A deleted principal's tokens and credentials no longer work.
    expect((await dropNamespace('anything', ['x'], mirror.token)).status).toBe(401);
    expect((await token(creds.clientId, creds.clientSecret)).status).toBe(401);
    // The catalog's name and locations are free again.
    expect((await mgmt('POST', '/catalogs', fileCatalog('lake_m', base))).status).toBe(201);
  });

  it('the names a live test uses round-trip through the paths (encoded like a client does)', async () => {
    await catalogWithRole('pm_live_1a2b');
    const creds = await apiPrincipal('pm live/1');
    expect((await mgmt('PUT', `/principals/${encodeURIComponent('pm live/1')}/principal-roles`, { principalRole: { name: 'pm_live_1a2b_pr' } })).status).toBe(201);
    const t = await writeFixtureTable(join(dir, 'pm_live_1a2b', 'ns', 't'));
    expect((await notify({ base: emu.url, token: await tokenOf(creds) }, 'pm_live_1a2b', ['ns'], 't', notification('CREATE', 't', t.metadataLocation, 1))).status).toBe(204);
    expect((await mgmt('GET', `/principals/${encodeURIComponent('pm live/1')}`)).json.name).toBe('pm live/1');
  });
});

describe('401: the management API needs a valid token', () => {
  it.each([
    ['POST', '/catalogs'],
    ['GET', '/catalogs/x'],
    ['DELETE', '/catalogs/x'],
    ['POST', '/principals'],
    ['DELETE', '/principals/x'],
    ['POST', '/principal-roles'],
    ['PUT', '/principals/x/principal-roles'],
    ['POST', '/catalogs/x/catalog-roles'],
    ['PUT', '/catalogs/x/catalog-roles/y/grants'],
    ['PUT', '/principal-roles/x/catalog-roles/c'],
  ])('%s %s without a token → 401, with a forged one → 401', async (method, path) => {
    let r = await mgmt(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, null);
    expect(r.status).toBe(401);
    expect(r.json).toEqual(err(401, 'NotAuthorizedException', 'Authentication required'));
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
    r = await mgmt(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, 'forged');
    expect(r.status).toBe(401);
    expect(r.json.error.message).toBe('Failed to verify token');
  });

  it('an expired root token → 401', async () => {
    emu.expireAllTokens();
    const r = await mgmt('POST', '/catalogs', fileCatalog('c', dirUri(dir)));
    expect(r.status).toBe(401);
    expect(r.json.error.message).toBe('Token expired');
  });
});

describe('403: only service admins manage the service; catalog access managers manage their catalog', () => {
  it('a principal with content privileges only is refused every management operation', async () => {
    emu.createCatalog({ name: 'lake', allowedLocations: [dirUri(join(dir, 'lake'))] });
    emu.createPrincipal({ clientId: 'writer', clientSecret: 'w', roles: { w: { lake: ['CATALOG_MANAGE_CONTENT'] } } });
    const w = emu.issueToken('writer');
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/catalogs', fileCatalog('c2', dirUri(join(dir, 'c2'))), 'CREATE_CATALOG'],
      ['DELETE', '/catalogs/lake', undefined, 'DELETE_CATALOG'],
      ['POST', '/principals', { principal: { name: 'p' } }, 'CREATE_PRINCIPAL'],
      ['DELETE', '/principals/root', undefined, 'DELETE_PRINCIPAL'],
      ['POST', '/principal-roles', { principalRole: { name: 'r' } }, 'CREATE_PRINCIPAL_ROLE'],
      ['POST', '/catalogs/lake/catalog-roles', { catalogRole: { name: 'cr' } }, 'CREATE_CATALOG_ROLE'],
      ['PUT', '/catalogs/lake/catalog-roles/catalog_admin/grants', { grant: { type: 'catalog', privilege: 'CATALOG_MANAGE_ACCESS' } }, 'ADD_CATALOG_GRANT_TO_CATALOG_ROLE'],
      ['PUT', '/principal-roles/service_admin/catalog-roles/lake', { catalogRole: { name: 'catalog_admin' } }, 'ASSIGN_CATALOG_ROLE_TO_PRINCIPAL_ROLE'],
      ['PUT', '/principals/writer/principal-roles', { principalRole: { name: 'service_admin' } }, 'ASSIGN_PRINCIPAL_ROLE'],
    ];
    for (const [method, path, body, op] of cases) {
      const r = await mgmt(method, path, body, w);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.json.error.type).toBe('ForbiddenException');
      expect(r.json.error.message).toMatch(new RegExp(`^Principal 'writer' .* is not authorized for op ${op}$`));
    }
    // Reading its catalog is allowed with content privileges; the rest stayed untouched.
    expect((await mgmt('GET', '/catalogs/lake', undefined, w)).status).toBe(200);
    expect((await mgmt('GET', '/catalogs/lake')).json.name).toBe('lake');
    expect((await mgmt('GET', '/principals/p')).status).toBe(404);
    // A missing entity is 404 even without privileges (Polaris resolves before authorizing).
    expect((await mgmt('DELETE', '/catalogs/nope', undefined, w)).status).toBe(404);
  });

  it('service_admin can be given: an API-created principal assigned service_admin, or serviceAdmin: true', async () => {
    const ops = await apiPrincipal('ops');
    const before = await tokenOf(ops);
    expect((await mgmt('POST', '/catalogs', fileCatalog('c1', dirUri(join(dir, 'c1'))), before)).status).toBe(403);
    expect((await mgmt('PUT', '/principals/ops/principal-roles', { principalRole: { name: 'service_admin' } })).status).toBe(201);
    expect((await mgmt('POST', '/catalogs', fileCatalog('c1', dirUri(join(dir, 'c1'))), before)).status).toBe(201);
    // … and it manages the content of the catalogs it creates (catalog_admin via service_admin).
    const t = await writeFixtureTable(join(dir, 'c1', 'ns', 't'));
    expect((await notify({ base: emu.url, token: before }, 'c1', ['ns'], 't', notification('CREATE', 't', t.metadataLocation, 1))).status).toBe(204);

    emu.createPrincipal({ clientId: 'admin2', clientSecret: 'a', serviceAdmin: true });
    expect((await mgmt('POST', '/principal-roles', { principalRole: { name: 'r2' } }, emu.issueToken('admin2'))).status).toBe(201);
    // Revoking service_admin takes effect on the next request.
    expect((await mgmt('DELETE', '/principals/ops/principal-roles/service_admin')).status).toBe(204);
    expect((await mgmt('POST', '/principal-roles', { principalRole: { name: 'r3' } }, before)).status).toBe(403);
  });

  it('CATALOG_MANAGE_ACCESS on one catalog lets a principal manage that catalog\'s roles and grants, not another\'s', async () => {
    await catalogWithRole('a', 'CATALOG_MANAGE_ACCESS');
    await catalogWithRole('b');
    const keeper = await apiPrincipal('keeper');
    expect((await mgmt('PUT', '/principals/keeper/principal-roles', { principalRole: { name: 'a_pr' } })).status).toBe(201);
    const k = await tokenOf(keeper);
    expect((await mgmt('POST', '/catalogs/a/catalog-roles', { catalogRole: { name: 'reader' } }, k)).status).toBe(201);
    expect((await mgmt('PUT', '/catalogs/a/catalog-roles/reader/grants', { grant: { type: 'catalog', privilege: 'TABLE_LIST' } }, k)).status).toBe(201);
    expect((await mgmt('POST', '/catalogs/b/catalog-roles', { catalogRole: { name: 'reader' } }, k)).status).toBe(403);
    // Access management is not content: no notifications into catalog a.
    const r = await notify({ base: emu.url, token: k }, 'a', ['ns'], 't', notification('VALIDATE', 't', `${dirUri(join(dir, 'a'))}/ns/t/m.json`, 1));
    expect(r.status).toBe(403);
  });
});

describe('404', () => {
  it('missing catalogs, principals, roles and namespaces; routes the emulator does not implement', async () => {
    emu.createCatalog({ name: 'lake', allowedLocations: [dirUri(join(dir, 'lake'))] });
    const cases: Array<[string, string, unknown, string]> = [
      ['GET', '/catalogs/nope', undefined, 'TopLevelEntity of type CATALOG does not exist: nope'],
      ['DELETE', '/catalogs/nope', undefined, 'TopLevelEntity of type CATALOG does not exist: nope'],
      ['GET', '/principals/nope', undefined, 'TopLevelEntity of type PRINCIPAL does not exist: nope'],
      ['DELETE', '/principals/nope', undefined, 'TopLevelEntity of type PRINCIPAL does not exist: nope'],
      ['DELETE', '/principal-roles/nope', undefined, 'TopLevelEntity of type PRINCIPAL_ROLE does not exist: nope'],
      ['POST', '/catalogs/nope/catalog-roles', { catalogRole: { name: 'cr' } }, 'TopLevelEntity of type CATALOG does not exist: nope'],
      ['DELETE', '/catalogs/lake/catalog-roles/nope', undefined, 'CatalogRole does not exist: nope'],
      ['PUT', '/catalogs/lake/catalog-roles/nope/grants', { grant: { type: 'catalog', privilege: 'TABLE_LIST' } }, 'CatalogRole not found: lake.nope'],
      ['PUT', '/catalogs/nope/catalog-roles/cr/grants', { grant: { type: 'catalog', privilege: 'TABLE_LIST' } }, 'Catalog not found: nope'],
      ['PUT', '/principals/root/principal-roles', { principalRole: { name: 'nope' } }, 'Entity nope not found when trying to assign nope to root'],
      ['PUT', '/principals/nope/principal-roles', { principalRole: { name: 'service_admin' } }, 'Entity nope not found when trying to assign service_admin to nope'],
      ['PUT', '/principal-roles/nope/catalog-roles/lake', { catalogRole: { name: 'catalog_admin' } }, 'Entity nope not found when trying to assign lake.catalog_admin to nope'],
      ['PUT', '/principal-roles/service_admin/catalog-roles/lake', { catalogRole: { name: 'nope' } }, 'Entity nope not found when trying to assign lake.nope to service_admin'],
    ];
    for (const [method, path, body, message] of cases) {
      const r = await mgmt(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.json).toEqual(err(404, 'NotFoundException', message));
    }
    // Not implemented here (list, update): answered like unknown routes.
    expect((await mgmt('GET', '/catalogs')).status).toBe(404);
    expect((await mgmt('PUT', '/catalogs/lake', { currentEntityVersion: 1 })).status).toBe(404);
    expect((await mgmt('GET', '/nothing/here')).status).toBe(404);
    // dropNamespace on a missing catalog / namespace.
    let r = await dropNamespace('nope', ['db'], rootToken);
    expect(r.json).toEqual(err(404, 'NotFoundException', 'Unable to find warehouse nope'));
    r = await dropNamespace('lake', ['db'], rootToken);
    expect(r.json).toEqual(err(404, 'NoSuchNamespaceException', 'Namespace does not exist: db'));
  });
});

describe('409: what already exists', () => {
  it('catalog, principal, principal role and catalog role names are unique', async () => {
    await catalogWithRole('lake');
    let r = await mgmt('POST', '/catalogs', fileCatalog('lake', dirUri(join(dir, 'lake'))));
    expect(r.status).toBe(409);
    expect(r.json).toEqual(err(409, 'AlreadyExistsException', 'Cannot create Catalog lake. Catalog already exists or resolution failed'));
    await apiPrincipal('p');
    r = await mgmt('POST', '/principals', { principal: { name: 'p' } });
    expect(r.json).toEqual(err(409, 'AlreadyExistsException', 'Cannot create Principal p. Principal already exists or resolution failed'));
    r = await mgmt('POST', '/principals', { principal: { name: 'root' } });
    expect(r.status).toBe(409);
    r = await mgmt('POST', '/principal-roles', { principalRole: { name: 'lake_pr' } });
    expect(r.json).toEqual(err(409, 'AlreadyExistsException', 'Cannot create PrincipalRole lake_pr. PrincipalRole already exists or resolution failed'));
    r = await mgmt('POST', '/principal-roles', { principalRole: { name: 'service_admin' } });
    expect(r.status).toBe(409);
    r = await mgmt('POST', '/catalogs/lake/catalog-roles', { catalogRole: { name: 'catalog_admin' } });
    expect(r.json).toEqual(
      err(409, 'AlreadyExistsException', 'Cannot create CatalogRole catalog_admin in lake. CatalogRole already exists or resolution failed'),
    );
    // Same name in another catalog is another role.
    expect((await mgmt('POST', '/catalogs', fileCatalog('other', dirUri(join(dir, 'other'))))).status).toBe(201);
    expect((await mgmt('POST', '/catalogs/other/catalog-roles', { catalogRole: { name: 'lake_cr' } })).status).toBe(201);
  });
});

describe('400: bodies and operations Polaris refuses', () => {
  it('catalog bodies', async () => {
    const base = dirUri(join(dir, 'c'));
    const bad: Array<[unknown, string | RegExp]> = [
      ['{not json', /^Malformed request body/],
      [{}, /catalog/],
      [{ catalog: { ...fileCatalog('c', base).catalog, name: '' } }, /catalog\.name/],
      [{ catalog: { ...fileCatalog('c', base).catalog, type: 'MANAGED' } }, /catalog\.type/],
      [{ catalog: { ...fileCatalog('c', base).catalog, storageConfigInfo: { storageType: 'FTP' } } }, /storageType/],
      [{ catalog: { ...fileCatalog('c', base).catalog, properties: {} } }, 'Must specify default base location'],
      [fileCatalog('c', 's3://bucket/wh/c', ['s3://bucket/wh']), "Location prefix not allowed: 's3://bucket/wh', expected prefixes: 'file://'"],
      // Polaris 1.7: the allowed locations are kept as given, and default-base-location must lie in one.
      [fileCatalog('c', base, [`${base}-elsewhere`]), `default-base-location '${base}' is not within any of the allowed locations [${base}-elsewhere]`],
      [{ catalog: { ...fileCatalog('c', base).catalog, type: 'INTERNAL', connectionConfigInfo: { connectionType: 'ICEBERG_REST' } } }, /EXTERNAL/],
    ];
    for (const [body, message] of bad) {
      const r = await mgmt('POST', '/catalogs', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.message).toMatch(message);
    }
    // Locations overlapping another catalog's (Polaris's default ALLOW_OVERLAPPING_CATALOG_URLS=false).
    expect((await mgmt('POST', '/catalogs', fileCatalog('c', base))).status).toBe(201);
    const r = await mgmt('POST', '/catalogs', fileCatalog('d', `${base}/inner`));
    expect(r.json).toEqual(err(400, 'ValidationException', 'Cannot create Catalog d. One or more of its locations overlaps with an existing catalog'));
    expect((await mgmt('POST', '/catalogs', fileCatalog('e', 'file:///', ['file:///']))).status).toBe(400);
    expect((await mgmt('POST', '/catalogs', fileCatalog('s3', 's3://bucket/wh'), rootToken)).status).toBe(400); // FILE storage, s3 location
    const s3 = { catalog: { name: 's3', type: 'EXTERNAL', properties: { 'default-base-location': 's3://bucket/wh' }, storageConfigInfo: { storageType: 'S3', roleArn: 'arn:aws:iam::1:role/p' } } };
    const ok = await mgmt('POST', '/catalogs', s3);
    expect(ok.status).toBe(201);
    expect(ok.json.storageConfigInfo).toEqual({ storageType: 'S3', roleArn: 'arn:aws:iam::1:role/p', allowedLocations: ['s3://bucket/wh'] });
    expect((await mgmt('POST', '/catalogs', 'x', rootToken, { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('grants, undroppable entities, revoking what was never granted', async () => {
    await catalogWithRole('lake');
    let r = await mgmt('PUT', '/catalogs/lake/catalog-roles/lake_cr/grants', { grant: { type: 'catalog', privilege: 'EVERYTHING' } });
    expect(r.status).toBe(400);
    r = await mgmt('PUT', '/catalogs/lake/catalog-roles/lake_cr/grants', { grant: { type: 'shelf', privilege: 'TABLE_LIST' } });
    expect(r.status).toBe(400);
    r = await mgmt('PUT', '/catalogs/lake/catalog-roles/lake_cr/grants', { grant: { type: 'namespace', namespace: ['db'], privilege: 'TABLE_LIST' } });
    expect(r.status).toBe(501);
    expect(r.json.error.message).toMatch(/only catalog-level grants/);
    r = await mgmt('DELETE', '/principals/root');
    expect(r.json).toEqual(err(400, 'BadRequestException', 'Root principal cannot be dropped'));
    r = await mgmt('DELETE', '/principal-roles/service_admin');
    expect(r.json).toEqual(err(400, 'BadRequestException', 'Polaris service admin principal role cannot be dropped'));
    r = await mgmt('DELETE', '/catalogs/lake/catalog-roles/catalog_admin');
    expect(r.json).toEqual(err(400, 'BadRequestException', 'Catalog admin role cannot be dropped'));
    r = await mgmt('POST', '/catalogs/lake/catalog-roles/lake_cr/grants', { grant: { type: 'catalog', privilege: 'TABLE_DROP' } });
    expect(r.json).toEqual(err(400, 'GRANT_NOT_FOUND', 'Operation failed: GRANT_NOT_FOUND'));
    r = await mgmt('DELETE', '/principals/root/principal-roles/lake_pr');
    expect(r.status).toBe(400);
    r = await mgmt('POST', '/principals', { principal: { name: 'p' }, credentialRotationRequired: true });
    expect(r.status).toBe(501);
  });
});

describe('revocations take effect on the next request', () => {
  it('revoking the grant, the catalog role assignment or the principal role', async () => {
    await catalogWithRole('lake');
    const creds = await apiPrincipal('m');
    expect((await mgmt('PUT', '/principals/m/principal-roles', { principalRole: { name: 'lake_pr' } })).status).toBe(201);
    const k = { base: emu.url, token: await tokenOf(creds) };
    const validate = notification('VALIDATE', 't', `${dirUri(join(dir, 'lake'))}/ns/t/metadata/m.json`, 1);
    expect((await notify(k, 'lake', ['ns'], 't', validate)).status).toBe(204);

    const grant = { grant: { type: 'catalog', privilege: 'CATALOG_MANAGE_CONTENT' } };
    expect((await mgmt('POST', '/catalogs/lake/catalog-roles/lake_cr/grants', grant)).status).toBe(201);
    expect((await notify(k, 'lake', ['ns'], 't', validate)).status).toBe(403);
    expect((await mgmt('PUT', '/catalogs/lake/catalog-roles/lake_cr/grants', grant)).status).toBe(201);
    expect((await notify(k, 'lake', ['ns'], 't', validate)).status).toBe(204);

    expect((await mgmt('DELETE', '/principal-roles/lake_pr/catalog-roles/lake/lake_cr')).status).toBe(204);
    expect((await notify(k, 'lake', ['ns'], 't', validate)).status).toBe(403);
    expect((await mgmt('PUT', '/principal-roles/lake_pr/catalog-roles/lake', { catalogRole: { name: 'lake_cr' } })).status).toBe(201);
    expect((await notify(k, 'lake', ['ns'], 't', validate)).status).toBe(204);

    const scoped = { base: emu.url, token: await tokenOf(creds, 'PRINCIPAL_ROLE:lake_pr') };
    expect((await mgmt('DELETE', '/principals/m/principal-roles/lake_pr')).status).toBe(204);
    // A token naming the revoked role is refused as a whole (401); a PRINCIPAL_ROLE:ALL token has no role left (403).
    let r = await notify(scoped, 'lake', ['ns'], 't', validate);
    expect(r.status).toBe(401);
    r = await notify(k, 'lake', ['ns'], 't', validate);
    expect(r.status).toBe(403);
    expect(r.json.error.message).toBe("Principal 'm' with activated PrincipalRoles '[]' and activated grants via '[]' is not authorized for op SEND_NOTIFICATIONS");

    // Deleting a principal role or catalog role removes its assignments too.
    expect((await mgmt('PUT', '/principals/m/principal-roles', { principalRole: { name: 'lake_pr' } })).status).toBe(201);
    expect((await notify(k, 'lake', ['ns'], 't', validate)).status).toBe(204);
    expect((await mgmt('DELETE', '/catalogs/lake/catalog-roles/lake_cr')).status).toBe(204);
    expect((await notify(k, 'lake', ['ns'], 't', validate)).status).toBe(403);
  });
});

describe('catalog kinds created through the API behave as the catalog API expects', () => {
  it('federated (connectionConfigInfo): notifications are accepted and ignored; inline secrets are not shown', async () => {
    const base = dirUri(join(dir, 'fed'));
    const body = fileCatalog('fed', base);
    body.catalog['connectionConfigInfo'] = {
      connectionType: 'ICEBERG_REST',
      uri: 'https://remote.example/api/catalog',
      remoteCatalogName: 'remote',
      authenticationParameters: { authenticationType: 'OAUTH', tokenUri: 'https://remote.example/token', clientId: 'c', clientSecret: 'hush', scopes: ['PRINCIPAL_ROLE:ALL'] },
    };
    const r = await mgmt('POST', '/catalogs', body);
    expect(r.status).toBe(201);
    expect(r.json.connectionConfigInfo.authenticationParameters).toEqual({ authenticationType: 'OAUTH', tokenUri: 'https://remote.example/token', clientId: 'c', scopes: ['PRINCIPAL_ROLE:ALL'] });
    expect(r.text).not.toContain('hush');
    const t = await writeFixtureTable(join(dir, 'fed', 'ns', 't'));
    expect((await notify({ base: emu.url, token: rootToken }, 'fed', ['ns'], 't', notification('CREATE', 't', t.metadataLocation, 1))).status).toBe(204);
    expect(emu.tables('fed')).toEqual([]);
  });

  it('INTERNAL: notifications are refused (400)', async () => {
    expect((await mgmt('POST', '/catalogs', fileCatalog('int', dirUri(join(dir, 'int')), undefined, 'INTERNAL'))).status).toBe(201);
    const t = await writeFixtureTable(join(dir, 'int', 'ns', 't'));
    const r = await notify({ base: emu.url, token: rootToken }, 'int', ['ns'], 't', notification('CREATE', 't', t.metadataLocation, 1));
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe('Cannot update internal catalog via notifications');
  });

  it('an allowed location is enforced: a table outside it → 403', async () => {
    expect((await mgmt('POST', '/catalogs', fileCatalog('narrow', dirUri(join(dir, 'narrow'))))).status).toBe(201);
    const t = await writeFixtureTable(join(dir, 'elsewhere', 'ns', 't'));
    const r = await notify({ base: emu.url, token: rootToken }, 'narrow', ['ns'], 't', notification('CREATE', 't', t.metadataLocation, 1));
    expect(r.status).toBe(403);
    expect(emu.tables('narrow')).toEqual([]);
  });

  it('catalogs made with createCatalog() are visible to and manageable through the API', async () => {
    emu.createCatalog({ name: 'lake', allowedLocations: [dirUri(join(dir, 'lake'))] });
    const r = await mgmt('GET', '/catalogs/lake');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ name: 'lake', type: 'EXTERNAL', storageConfigInfo: { storageType: 'FILE', allowedLocations: [dirUri(join(dir, 'lake'))] } });
    expect((await mgmt('POST', '/catalogs/lake/catalog-roles', { catalogRole: { name: 'cr' } })).status).toBe(201);
    expect((await mgmt('DELETE', '/catalogs/lake/catalog-roles/cr')).status).toBe(204);
    expect((await mgmt('DELETE', '/catalogs/lake')).status).toBe(204);
    expect(() => emu.tables('lake')).toThrow();
  });
});

describe('realm and routing', () => {
  it('another realm → 404 MissingOrInvalidRealm before authentication; the served realm works', async () => {
    let r = await mgmt('POST', '/principal-roles', { principalRole: { name: 'r' } }, null, { 'polaris-realm': 'other' });
    expect(r.json).toEqual(err(404, 'MissingOrInvalidRealm', 'Missing or invalid realm'));
    r = await mgmt('POST', '/principal-roles', { principalRole: { name: 'r' } }, rootToken, { 'polaris-realm': 'POLARIS' });
    expect(r.status).toBe(201);
  });

  it('rootUrl/managementUrl; without rootCredentials there is no root principal', async () => {
    expect(emu.managementUrl).toBe(`${emu.rootUrl}/api/management/v1`);
    expect(emu.url).toBe(`${emu.rootUrl}/api/catalog`);
    const plain = await startPolarisEmulator();
    try {
      const r = await raw(`${plain.url}/v1/oauth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: ROOT.clientId, client_secret: ROOT.clientSecret, scope: 'PRINCIPAL_ROLE:ALL' }).toString(),
      });
      expect(r.status).toBe(401);
    } finally {
      await plain.close();
    }
  });

  it('management requests are not subject to injected faults', async () => {
    emu.failNext(5, { status: 503 });
    expect((await mgmt('POST', '/principal-roles', { principalRole: { name: 'r' } })).status).toBe(201);
    expect((await mgmt('GET', '/principal-roles/r')).json).toMatchObject({ name: 'r', federated: false, entityVersion: 1 });
  });
});
